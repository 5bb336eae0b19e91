"""'Taken after the infusion' for a draw on an infusion's day (issue 12 item 4's marker).

Unmarked, such a draw is the pre-infusion baseline (the previous episode's last result);
marked, it is the new episode's first. The lab form asks only people with infusions, and
the mark reaches the re-check and the chart through tracking.fit_inputs.
"""

import pytest
from django.urls import reverse

from rlsapp.reminders import services as reminders
from rlsapp.tracking import services
from rlsapp.tracking.lab_form import LabDrawForm
from rlsapp.tracking.models import LabDraw
from tests.reminders.helpers import add_ferritin, add_infusion

from .helpers import D0, add_falling_episode, draw_post, week

SECOND = week(20)


@pytest.fixture
def two_infusions(patient):
    add_falling_episode(patient)
    add_infusion(patient, SECOND)
    return patient


def mark_after(draw):
    draw.after_infusion = True
    services.save_draw(draw, None)


# The form ------------------------------------------------------------------------------


def test_the_form_asks_only_people_with_infusions(patient):
    assert "after_infusion" not in LabDrawForm(patient=patient).fields
    add_infusion(patient, D0)
    assert "after_infusion" in LabDrawForm(patient=patient).fields


def test_the_form_saves_the_mark_on_an_infusion_day(owner_client, two_infusions):
    url = reverse("draw_create", args=[two_infusions.pk])
    page = owner_client.get(url).content.decode()
    assert "taken after the infusion that day" in page.lower()
    data = draw_post(SECOND, ferritin="80") | {"after_infusion": "on"}
    assert owner_client.post(url, data).status_code == 302
    assert LabDraw.objects.get(drawn_on=SECOND).after_infusion is True


def test_the_mark_on_a_day_without_an_infusion_is_refused(owner_client, two_infusions):
    url = reverse("draw_create", args=[two_infusions.pk])
    data = draw_post(week(12), ferritin="80") | {"after_infusion": "on"}
    response = owner_client.post(url, data)
    assert response.status_code == 200
    assert (
        "Taken after the infusion: no infusion is recorded on 2025-03-31. Untick it, or "
        "record that day&#x27;s infusion first." in response.content.decode()
    )
    assert not LabDraw.objects.filter(drawn_on=week(12)).exists()


# The rules -----------------------------------------------------------------------------


def test_unmarked_it_is_the_baseline_marked_it_starts_the_new_episode(owner_client, two_infusions):
    same_day = add_ferritin(two_infusions, SECOND, 80)
    plan = reminders.plan_for(two_infusions)
    # The baseline before the second infusion: "below since" restarts with it.
    assert plan.below_since is None
    chart = owner_client.get(reverse("patient_chart_data", args=[two_infusions.pk])).json()
    first, second = chart["episodes"]
    assert [p["date"] for p in first["points"]][-1] == SECOND.isoformat()
    assert second["baseline"]["date"] == SECOND.isoformat()
    assert second["points"] == []

    mark_after(same_day)
    points = reminders.history_for(two_infusions).points
    assert [p.after_infusion for p in sorted(points, key=lambda p: p.day)] == [
        False,
        False,
        True,
    ]
    assert reminders.plan_for(two_infusions).below_since == SECOND
    chart = owner_client.get(reverse("patient_chart_data", args=[two_infusions.pk])).json()
    first, second = chart["episodes"]
    assert [p["date"] for p in first["points"]] == [week(6).isoformat(), week(10).isoformat()]
    assert second["baseline"]["date"] == week(10).isoformat()
    assert [(p["date"], p["weeks"]) for p in second["points"]] == [(SECOND.isoformat(), 0.0)]


def test_the_draw_table_says_so(owner_client, two_infusions):
    mark_after(add_ferritin(two_infusions, SECOND, 80))
    table = owner_client.get(reverse("draw_list", args=[two_infusions.pk])).content.decode()
    assert "taken after the infusion" in table
