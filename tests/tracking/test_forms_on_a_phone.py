"""Forms and history for a phone (issue 16 item 7): an error summary at the top of every
failed form linking to each field, a 0–10 tap scale, an otpauth:// link beside the QR code,
and a history table that stacks into cards."""

import datetime
import re

from django.urls import reverse

from rlsapp.tracking import services
from rlsapp.tracking.models import SymptomScore
from tests.conftest import PASSWORD
from tests.tracking.helpers import patient_post

DAY = datetime.date(2026, 10, 1)


def summary(html):
    start = html.index('id="error-summary"')
    return html[start : html.index("</div>", start)]


def test_a_failed_record_form_lists_each_error_with_a_link_to_its_field(owner_client, patient):
    url = reverse("infusion_create", args=[patient.pk])
    html = owner_client.post(url, {"given_on": "", "product": "other", "dose_mg": "99999"})
    box = summary(html.content.decode())
    assert "js/error_summary.js" in html.content.decode()
    links = dict(re.findall(r'<a [^>]*href="#([^"]+)"[^>]*>([^<]+)</a>', box))
    assert set(links) >= {"id_given_on", "id_dose_mg", "id_product_other"}
    assert links["id_dose_mg"].startswith("Dose")
    assert "nothing was saved" in box


def test_a_failed_person_form_has_the_summary_too(owner_client):
    html = owner_client.post(reverse("patient_create"), patient_post(name="")).content.decode()
    assert 'href="#id_name" data-focus="id_name">Name: This field is required.</a>' in summary(html)


def test_a_form_without_errors_has_no_summary(owner_client, patient):
    html = owner_client.get(reverse("symptom_create", args=[patient.pk])).content.decode()
    assert "error-summary" not in html


def test_symptom_severity_is_a_row_of_eleven_buttons(owner_client, patient):
    html = owner_client.get(reverse("symptom_create", args=[patient.pk])).content.decode()
    scale = html[html.index('<div class="tap-scale"') :]
    scale = scale[: scale.index("</div>")]
    assert len(re.findall(r'type="radio" class="btn-check" name="severity"', scale)) == 11
    assert [int(v) for v in re.findall(r'value="(\d+)"', scale)] == list(range(11))


def test_a_tapped_score_is_saved_and_shown_checked_when_edited(owner_client, patient):
    url = reverse("symptom_create", args=[patient.pk])
    owner_client.post(url, {"recorded_on": DAY.isoformat(), "severity": "7"})
    score = SymptomScore.objects.get()
    assert score.severity == 7
    html = owner_client.get(reverse("symptom_edit", args=[score.pk])).content.decode()
    assert 'id="id_severity_7" value="7" checked' in html


def test_a_score_off_the_scale_is_refused_naming_the_field(owner_client, patient):
    url = reverse("symptom_create", args=[patient.pk])
    html = owner_client.post(url, {"recorded_on": DAY.isoformat(), "severity": "11"})
    assert "Severity" in summary(html.content.decode())
    assert not SymptomScore.objects.exists()


def test_two_factor_setup_offers_an_otpauth_link_beside_the_qr_code(owner_client):
    owner_client.post(reverse("twofactor_setup"), {"password": PASSWORD})
    html = owner_client.get(reverse("twofactor_setup")).content.decode()
    assert re.search(r'<a class="otpauth-link" href="otpauth://totp/[^"]+secret=', html)


def test_history_rows_carry_labels_to_stack_into_cards(owner_client, patient):
    score = services.save_record(SymptomScore(patient=patient, recorded_on=DAY, severity=4))
    services.delete(score)
    html = owner_client.get(reverse("patient_history", args=[patient.pk])).content.decode()
    assert 'class="table table-sm align-middle table-stack"' in html
    assert 'data-label="When"' in html and ">Restore</button>" in html
