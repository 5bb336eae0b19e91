"""The chart on a phone (issue 16 item 5): the estimate band stops at a sensible horizon."""

import datetime

from rlsapp.charts.data import HORIZON_MAX_DAYS
from rlsapp.tracking.models import Infusion

from .helpers import DAY0, add_draw, week
from .test_chart_data import chart_json


def _day(iso):
    return datetime.date.fromisoformat(iso)


def test_two_results_keep_most_of_the_width_and_the_band_stops_within_a_year(owner_client, patient):
    # Two results falling slowly after an infusion: the estimate's late end lies years
    # ahead, which used to stretch the chart to it and push the results into a corner.
    Infusion.objects.create(patient=patient, given_on=DAY0, dose_mg=1000)
    add_draw(patient, week(8), ferritin=400)
    add_draw(patient, week(12), ferritin=395)

    data = chart_json(owner_client, patient)

    projection = data["projection"]
    latest = _day(data["ferritin"][-1]["date"])
    end = _day(projection["band"][-1]["date"])
    assert projection["late"] is None or _day(projection["late"]) > end
    assert projection["band_cut"] is True
    assert end <= latest + datetime.timedelta(days=HORIZON_MAX_DAYS)
    # The estimated date lies more than a year ahead: the band stops half a year past
    # the latest result, so from the infusion to the band's end the results take 30 %.
    shown = (end - DAY0).days
    assert (latest - DAY0).days / shown > 0.3


def test_a_band_that_ends_soon_is_not_cut(owner_client, earley):
    projection = chart_json(owner_client, earley)["projection"]

    assert projection["band_cut"] is False
    assert projection["band"][-1]["date"] == projection["late"]
