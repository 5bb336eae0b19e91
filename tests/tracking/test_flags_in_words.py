"""Flags in words beside the colour on the person page (issue 16 item 6): "low", "high",
and a rise soon after an infusion explained as expected, not flagged "above range"."""

import datetime

from django.urls import reverse

from rlsapp.tracking.models import Infusion
from tests.charts.helpers import add_draw

DAY = datetime.date(2026, 6, 1)


def person_page(client, patient):
    return client.get(reverse("patient_detail", args=[patient.pk])).content.decode()


def test_a_low_ferritin_says_low_and_why_in_words(owner_client, patient):
    add_draw(patient, DAY, ferritin=19)
    html = person_page(owner_client, patient)
    assert '<span class="flag-word flag-low">low</span>' in html
    assert '<span class="flag-why">(below threshold 100)</span>' in html


def test_a_high_ferritin_without_an_infusion_says_high(owner_client, patient):
    add_draw(patient, DAY, ferritin=512)
    html = person_page(owner_client, patient)
    assert '<span class="flag-word flag-high">high</span>' in html
    assert "above range" in html


def test_a_rise_weeks_after_an_infusion_is_explained_not_alarmed(owner_client, patient):
    Infusion.objects.create(patient=patient, given_on=DAY, product="fcm", dose_mg=1000)
    add_draw(patient, DAY + datetime.timedelta(weeks=5), ferritin=512)
    html = person_page(owner_client, patient)
    assert '<span class="flag-word flag-after">after infusion</span>' in html
    assert "expected after an infusion" in html
    assert "above range" not in html and "value-high" not in html


def test_a_draw_on_the_infusion_day_before_it_is_not_after_it(owner_client, patient):
    Infusion.objects.create(patient=patient, given_on=DAY, product="fcm", dose_mg=1000)
    add_draw(patient, DAY, ferritin=512)  # taken before the infusion, as usual
    assert "flag-high" in person_page(owner_client, patient)


def test_the_lab_results_list_shows_the_words_too(owner_client, patient):
    Infusion.objects.create(patient=patient, given_on=DAY, product="fcm", dose_mg=1000)
    add_draw(patient, DAY + datetime.timedelta(weeks=3), ferritin=700)
    add_draw(patient, DAY - datetime.timedelta(weeks=3), ferritin=40)
    html = owner_client.get(reverse("draw_list", args=[patient.pk])).content.decode()
    assert "flag-after" in html and "flag-low" in html
