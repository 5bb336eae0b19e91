"""Patient mode (issue 16 item 3): someone tracking only herself lands on her own page,
sign-up and the person form ask only what is needed, technical terms are explained, and
the person page opens with few buttons and no row of empty boxes."""

import re
from pathlib import Path

from django.urls import reverse

from rlsapp.tracking.models import Infusion, Patient
from tests.charts.helpers import DAY0, add_draw, week
from tests.tracking.helpers import patient_post


def test_an_account_with_one_person_lands_on_her_page(owner_client, patient):
    response = owner_client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("patient_detail", args=[patient.pk])


def test_the_worklist_stays_reachable_by_its_address(owner_client, patient):
    response = owner_client.get(reverse("worklist"))
    assert response.status_code == 200
    assert "Alice" in response.content.decode()


def test_an_account_with_two_people_lands_on_the_worklist(owner_client, owner, patient):
    Patient.objects.create(owner=owner, name="Bea")
    response = owner_client.get(reverse("home"))
    assert response.status_code == 200
    assert response.templates[0].name == "web/worklist.html"


def test_an_account_with_nobody_is_asked_to_add_a_person(owner_client):
    assert owner_client.get(reverse("home")).url == reverse("patient_create")


def test_the_worklist_filters_at_home_are_kept_for_one_person(owner_client, patient):
    # A search typed at the home address is a worklist request, never redirected away.
    assert owner_client.get(reverse("home"), {"q": "nobody"}).status_code == 200


def test_sign_up_shows_address_and_password_and_folds_the_region_away(client):
    html = client.get(reverse("signup")).content.decode()
    details = html[html.index("<details") : html.index("</details>")]
    assert 'name="region"' in details
    before = html[: html.index("<details")]
    assert 'name="email"' in before and 'name="password1"' in before


def test_the_person_form_puts_clinical_settings_under_advanced_with_defaults(owner_client):
    html = owner_client.get(reverse("patient_create")).content.decode()
    details = html[html.index('<details class="advanced-settings') : html.index("</details>")]
    assert '<details class="advanced-settings mb-3">' in details  # closed at first
    for name in ("ferritin_threshold", "population_slope", "reminder_lead_days"):
        assert f'name="{name}"' in details
    assert 'name="name"' not in details
    assert "Default 100." in details and "Default 6.6" in details


def test_a_mistake_in_an_advanced_setting_opens_the_section(owner_client):
    post = patient_post(ferritin_threshold="5")
    html = owner_client.post(reverse("patient_create"), post).content.decode()
    assert '<details class="advanced-settings mb-3" open>' in html


def test_the_lab_field_explains_assays_in_plain_words(owner_client, patient):
    html = owner_client.get(reverse("draw_create", args=[patient.pk])).content.decode()
    assert "Beckman 100" not in html
    assert "read 100 at one lab and about 158 at another" in html


def test_technical_columns_are_explained_beside_the_table(owner_client, patient):
    Infusion.objects.create(patient=patient, given_on=DAY0, dose_mg=1000)
    for weeks, value in ((6, 400), (10, 350), (14, 300)):
        add_draw(patient, week(weeks), ferritin=value)
    html = owner_client.get(reverse("patient_charts", args=[patient.pk])).content.decode()
    help_box = html[html.index("What the columns mean") :]
    help_box = help_box[: help_box.index("</details>")]
    for term in ("Half-life", "R²", "Points used", "Lab changed"):
        assert f"<dt>{term}</dt>" in help_box


def primary_buttons(html):
    """Buttons and button-links outside the More menu in the page's header."""
    header = html[html.index('class="d-flex flex-wrap gap-2 d-print-none page-actions"') :]
    header = header[: header.index("</details>")]
    header = re.sub(r'<ul class="more-menu.*?</ul>', "", header, flags=re.S)
    return re.findall(r'class="btn [^"]*"[^>]*>([^<]+)<', header)


def test_the_person_page_opens_with_three_buttons_and_one_report_link(owner_client, patient):
    add_draw(patient, DAY0, ferritin=42)
    html = owner_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert primary_buttons(html) == ["Add lab result", "Add infusion", "More…"]
    assert html.count(reverse("patient_report", args=[patient.pk])) == 1


def test_an_empty_person_page_is_one_getting_started_note(owner_client, patient):
    html = owner_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "Getting started" in html
    for empty in ("No lab results recorded", "No symptom scores recorded", "Latest values"):
        assert empty not in html


def test_empty_sections_collapse_into_one_line_once_something_is_recorded(owner_client, patient):
    add_draw(patient, DAY0, ferritin=42)
    html = owner_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "Getting started" not in html and "Latest values" in html
    assert "Not recorded yet:" in html
    assert "No symptom scores recorded" not in html and "No oral iron courses" not in html
    assert reverse("symptom_create", args=[patient.pk]) in html


def test_the_person_page_explains_its_words_on_a_tap(owner_client, patient):
    add_draw(patient, DAY0, ferritin=42)
    html = owner_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    help_box = html[html.index('<details class="term-help') :]
    help_box = help_box[: help_box.index("</details>")]
    for term in ("Threshold", "Transferrin saturation (TSAT)", "Estimate, 8 in 10"):
        assert f"<dt>{term}</dt>" in help_box


def test_no_link_home_is_called_the_worklist():
    """Home opens the worklist only for an account with several people; for one tracking
    herself it opens her own page. Links home said "Back to the worklist" (after a password
    change, on an expired import preview, on the admin's refusal) and took her to her page,
    in words the first hour was meant to spare her."""
    templates = Path(__file__).resolve().parents[2] / "templates"
    link_home = re.compile(r"""<a[^>]*href="\{% url 'home' %\}"[^>]*>(.*?)</a>""", re.S)
    called = [
        (path.name, words)
        for path in templates.rglob("*.html")
        for words in link_home.findall(path.read_text())
        if "worklist" in words.lower()
    ]
    assert called == []
