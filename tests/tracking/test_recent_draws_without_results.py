"""The person page's recent draws (LabResult.objects.recent_and_latest) are the newest draws
that have results, as they were before its SQL was written by hand: a draw without any
(the admin saves one) shows nowhere on the page, so it must not take one of the places
nor make the page say there are older draws."""

import datetime

import pytest

from rlsapp.tracking import services
from rlsapp.tracking.models import LabDraw, LabResult, Patient

from ..charts.helpers import DAY0, add_draw

pytestmark = pytest.mark.django_db


def test_a_draw_without_results_takes_no_place_among_the_recent_draws(owner):
    alex = Patient.objects.create(owner=owner, name="Alex")
    with_results = [
        add_draw(alex, DAY0 + datetime.timedelta(days=30 * i), ferritin=40 + i) for i in range(3)
    ]
    # The newest draw, saved without results as the admin saves one.
    services.save_draw(LabDraw(patient=alex, drawn_on=DAY0 + datetime.timedelta(days=200)), None)
    recent, more, latest = LabResult.objects.recent_and_latest(alex, 3)
    assert [draw.pk for draw in recent] == [draw.pk for draw in reversed(with_results)]
    assert more is False
    assert latest["ferritin"].value == 42 and latest["ferritin"].n == 3
    recent, more, _ = LabResult.objects.recent_and_latest(alex, 2)
    assert [draw.pk for draw in recent] == [draw.pk for draw in reversed(with_results)][:2]
    assert more is True
