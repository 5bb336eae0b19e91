"""Infusion and symptom-score dates in the account's format (issue 11 item 3)."""

import datetime

from django.urls import reverse

from rlsapp.tracking.models import Infusion, SymptomScore

DAY = datetime.date(2026, 10, 20)


def test_an_infusion_date_is_typed_and_shown_the_regions_way(owner_client, german, patient):
    url = reverse("infusion_create", args=[patient.pk])
    form = owner_client.get(url).context["form"]
    html = str(form["given_on"])
    assert 'type="text"' in html and 'placeholder="dd.mm.yyyy"' in html
    data = {"given_on": "20.10.2026", "product": "fcm", "dose_mg": "1000"}
    assert owner_client.post(url, data).status_code == 302
    infusion = Infusion.objects.get()
    assert infusion.given_on == DAY
    edit = owner_client.get(reverse("infusion_edit", args=[infusion.pk])).context["form"]
    assert 'value="20.10.2026"' in str(edit["given_on"])


def test_a_symptom_date_in_another_format_is_refused_naming_the_expected_one(
    owner_client, owner, patient
):
    owner.region = "US"
    owner.save()
    url = reverse("symptom_create", args=[patient.pk])
    response = owner_client.post(url, {"recorded_on": "20.10.2026", "severity": "4"})
    assert response.context["form"].errors["recorded_on"] == [
        "Date: read “20.10.2026”: enter it as m/d/yyyy, for example 12/31/2025, or as 2025-12-31."
    ]
    assert not SymptomScore.objects.exists()
    assert owner_client.post(url, {"recorded_on": "10/20/2026", "severity": "4"}).status_code == 302
    assert SymptomScore.objects.get().recorded_on == DAY


def test_a_new_symptom_score_still_starts_at_today(owner_client, german, patient, today):
    form = owner_client.get(reverse("symptom_create", args=[patient.pk])).context["form"]
    assert f'value="{today:%d.%m.%Y}"' in str(form["recorded_on"])


def test_oral_iron_and_medicine_dates_are_typed_the_regions_way(owner_client, german, patient):
    from rlsapp.tracking.treatments import OralIronCourse
    from tests.tracking.test_treatments import course_post

    url = reverse("course_create", args=[patient.pk])
    html = str(owner_client.get(url).context["form"]["started_on"])
    assert 'type="text"' in html and 'placeholder="dd.mm.yyyy"' in html
    data = course_post("", started_on="20.10.2026", ended_on="")
    assert owner_client.post(url, data).status_code == 302
    assert OralIronCourse.objects.get().started_on == DAY


def test_a_birth_date_is_typed_the_regions_way(owner_client, german, patient):
    from rlsapp.tracking.models import Patient
    from tests.tracking.helpers import patient_post

    url = reverse("patient_edit", args=[patient.pk])
    data = patient_post(birth_date="17.05.1980", version=patient.version)
    assert owner_client.post(url, data).status_code == 302
    assert Patient.objects.get().birth_date == datetime.date(1980, 5, 17)
    form = owner_client.get(url).context["form"]
    assert 'value="17.05.1980"' in str(form["birth_date"])


def test_the_chart_writes_numbers_in_the_regions_locale(owner_client, german, patient):
    data = owner_client.get(reverse("patient_chart_data", args=[patient.pk])).json()
    assert data["locale"] == "de-DE"


def test_settings_numbers_are_typed_and_shown_the_regions_way(owner_client, german, patient):
    from rlsapp.tracking.models import Patient
    from tests.tracking.helpers import patient_post

    url = reverse("patient_edit", args=[patient.pk])
    data = patient_post(population_slope="5,5", ferritin_threshold="120", version=patient.version)
    assert owner_client.post(url, data).status_code == 302
    saved = Patient.objects.get()
    assert (saved.population_slope, saved.ferritin_threshold) == (5.5, 120.0)
    assert 'value="5,5"' in str(owner_client.get(url).context["form"]["population_slope"])
    too_high = patient_post(ferritin_threshold="1.500,5", version=saved.version)
    response = owner_client.post(url, too_high)
    assert "ferritin_threshold" in response.context["form"].errors


def test_oral_iron_and_medicine_dates_are_shown_the_regions_way(owner_client, german, patient):
    """Typed as 20.10.2026, they were shown as 2026-10-20 beside lab results and infusions
    in the account's format."""
    from rlsapp.tracking.treatments import Medication
    from tests.tracking.test_treatments import add_course, add_event, medicine_post

    add_course(patient, DAY, DAY + datetime.timedelta(days=30))
    url = reverse("medicine_create", args=[patient.pk])
    assert owner_client.post(url, medicine_post("01.10.2026", dose="0,25")).status_code == 302
    add_event(Medication.objects.get(), DAY, "augmentation")
    pages = [
        patient.get_absolute_url(),
        reverse("course_list", args=[patient.pk]),
        reverse("medicine_list", args=[patient.pk]),
        reverse("medicine_event_list", args=[patient.pk]),
    ]
    for url in pages:
        html = owner_client.get(url).content.decode()
        assert "2026-10-20" not in html and "2026-10-01" not in html, url
        assert "20.10.2026" in html, url
    person = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "01.10.2026" in person and "19.11.2026" in person
    assert "Augmentation on 20.10.2026" in person
    report = owner_client.get(reverse("patient_report", args=[patient.pk])).content.decode()
    assert "Augmentation on 20 Oct 2026" in report
