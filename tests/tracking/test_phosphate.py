"""Phosphate and ferric carboxymaltose (issue 12 item 8).

- After any FCM infusion the next re-check card suggests adding phosphate.
- Entering a repeat FCM course within 3 months (not the next dose of a split course) shows
  the note before saving: the form comes back with it and a box to tick; nothing is saved
  until it is ticked for that date.
Wording: rlsapp.domain.recheck (from shared/domain.md: warnings and precautions, not a
boxed warning).
"""

import datetime

import pytest
from django.urls import reverse

from rlsapp.domain import recheck
from rlsapp.tracking.models import Infusion
from tests.reminders.helpers import add_ferritin, add_infusion

D0 = datetime.date(2025, 1, 6)
NOTE = (
    "This would be a repeat ferric carboxymaltose course within 3 months of the one on "
    "6 January 2025. Ferric carboxymaltose can lower phosphate: reported even after a single "
    "dose, more likely with repeat courses (the US label lists it under warnings and "
    "precautions). Ask the treating clinician about checking phosphate before this course."
)


def infusion_post(day, product="fcm", **extra):
    return {
        "given_on": day.isoformat(),
        "product": product,
        "product_other": "",
        "dose_mg": "750",
        "reaction": "",
        "notes": "",
    } | extra


@pytest.fixture
def url(patient):
    return reverse("infusion_create", args=[patient.pk])


def days(n):
    return D0 + datetime.timedelta(days=n)


def test_a_repeat_course_within_3_months_asks_first_then_saves(owner_client, patient, url):
    add_infusion(patient, D0, "fcm")
    response = owner_client.post(url, infusion_post(days(60)))
    assert response.status_code == 200
    page = response.content.decode()
    assert NOTE in page
    assert "Save anyway: I have read the note about phosphate" in page
    assert Infusion.objects.filter(patient=patient).count() == 1

    # A tick given for another date answers nothing.
    stale = infusion_post(days(61), confirm_phosphate=days(60).isoformat())
    assert owner_client.post(url, stale).status_code == 200
    assert Infusion.objects.filter(patient=patient).count() == 1

    confirmed = infusion_post(days(60), confirm_phosphate=days(60).isoformat())
    assert owner_client.post(url, confirmed).status_code == 302
    assert Infusion.objects.filter(patient=patient).count() == 2


@pytest.mark.parametrize(
    ("first", "second", "day"),
    [
        ("fcm", "fcm", 7),  # the second dose of a split course (2 x 750 mg a week apart)
        ("fcm", "fcm", 100),  # more than 3 months later
        ("fcm", "derisomaltose", 60),  # another product
        ("derisomaltose", "fcm", 60),  # FCM after another product
    ],
)
def test_no_question_otherwise(owner_client, patient, url, first, second, day):
    add_infusion(patient, D0, first)
    response = owner_client.post(url, infusion_post(days(day), second))
    assert response.status_code == 302
    assert Infusion.objects.filter(patient=patient).count() == 2


def test_the_course_window_is_the_persons_setting(owner_client, patient, url):
    """With a 5-day course window, a dose 7 days later is a new course: a repeat."""
    patient.course_days = 5
    patient.save()
    add_infusion(patient, D0, "fcm")
    assert owner_client.post(url, infusion_post(days(7))).status_code == 200
    assert Infusion.objects.filter(patient=patient).count() == 1


def test_an_edit_that_keeps_date_and_product_asks_nothing(owner_client, patient):
    add_infusion(patient, D0, "fcm")
    repeat = add_infusion(patient, days(60), "fcm")
    edit = reverse("infusion_edit", args=[repeat.pk])
    data = infusion_post(days(60), notes="second course", version=str(repeat.version))
    assert owner_client.post(edit, data).status_code == 302
    repeat.refresh_from_db()
    assert repeat.notes == "second course"


def test_the_note_is_the_domains(patient):
    earlier = [recheck.InfusionRecord(D0, "fcm")]
    assert recheck.repeat_fcm_warning(earlier, recheck.InfusionRecord(days(60), "fcm")) == NOTE


# The re-check card ----------------------------------------------------------------------


def test_after_a_single_fcm_infusion_the_card_suggests_phosphate(owner_client, patient):
    add_infusion(patient, D0, "fcm")
    add_ferritin(patient, days(70), 250)
    page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "ask the treating clinician about adding phosphate to this re-check" in page


def test_without_fcm_the_card_says_nothing_about_phosphate(owner_client, patient):
    add_infusion(patient, D0, "derisomaltose")
    add_ferritin(patient, days(70), 250)
    page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "adding phosphate" not in page
