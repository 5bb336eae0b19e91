"""Leaving a draw out of the decline fits, with a reason, and putting it back (issue 12 item 5).

The left-out draw stays in the tables marked with its reason, is drawn hollow on the chart
(`excluded` in the chart JSON) and enters neither the fit nor the re-check's estimate. An
oral iron course leaves draws out through the same function (tracking.fit_inputs).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rlsapp.domain import estimate as estimates
from rlsapp.domain import kinetics
from rlsapp.domain.medicines import Period
from rlsapp.reminders import services as reminders
from rlsapp.tracking import fit_inputs, services
from rlsapp.tracking.models import LabDraw
from rlsapp.tracking.treatments import OralIronCourse
from tests.reminders.helpers import add_ferritin

from .helpers import D0, add_falling_episode, week


@pytest.fixture
def episode(patient):
    """An infusion, two results falling, and a high one during an illness."""
    add_falling_episode(patient)
    ill = add_ferritin(patient, week(14), 900)
    return ill


def expected_two_point_estimate(patient):
    """The estimate from the two results without the illness, built from the domain alone."""
    points = [kinetics.Point(week(6), 400, lab="City Lab"), kinetics.Point(week(10), 300)]
    [current] = kinetics.split_episodes(points, [kinetics.Dose(D0, 1000)])
    return estimates.estimate(current, 100, population_slope=6.6)


# The service -------------------------------------------------------------------------


def test_leave_out_keeps_the_reason_in_the_record_and_its_history(episode):
    services.leave_out(episode, "illness", "  flu that week ")
    episode.refresh_from_db()
    assert (episode.left_out_reason, episode.left_out_note) == ("illness", "flu that week")
    assert episode.left_out_words == "left out: illness (flu that week)"
    assert episode.version == 2
    latest = episode.history.latest()
    assert latest.history_change_reason == "left out of the fits: left out: illness (flu that week)"
    assert latest.left_out_reason == "illness"

    services.put_back(episode)
    episode.refresh_from_db()
    assert (episode.left_out_reason, episode.left_out_note, episode.version) == ("", "", 3)
    assert episode.history.latest().history_change_reason == "put back into the fits"
    # The results were not touched.
    assert [r.value for r in episode.results.all()] == [900]


def test_an_unknown_reason_is_refused_and_nothing_is_saved(episode):
    with pytest.raises(ValueError, match="unknown reason 'flu'"):
        services.leave_out(episode, "flu")
    episode.refresh_from_db()
    assert episode.left_out_reason == "" and episode.version == 1


def test_a_stale_version_is_a_conflict(episode):
    services.leave_out(episode, "illness")
    stale = LabDraw.objects.get(pk=episode.pk)
    stale.version = 1
    with pytest.raises(services.EditConflict):
        services.put_back(stale, seen_version=1)
    episode.refresh_from_db()
    assert episode.left_out_reason == "illness"


# What the rules read -------------------------------------------------------------------


def test_the_re_check_estimate_leaves_the_draw_out(patient, episode):
    before = reminders.plan_for(patient).estimate
    assert before.n_points == 3

    services.leave_out(episode, "illness")
    points = reminders.history_for(patient).points
    assert [p.excluded for p in sorted(points, key=lambda p: p.day)] == [False, False, True]
    after = reminders.plan_for(patient).estimate
    expected = expected_two_point_estimate(patient)
    assert after.n_points == 2
    assert (after.crossing, after.early, after.late) == (
        expected.crossing,
        expected.early,
        expected.late,
    )
    # The latest result counted is the one before the illness.
    assert after.start.day == week(10)

    services.put_back(episode)
    assert reminders.plan_for(patient).estimate.n_points == 3


def test_the_chart_draws_it_hollow_and_fits_without_it(owner_client, patient, episode):
    services.leave_out(episode, "inflammation")
    data = owner_client.get(reverse("patient_chart_data", args=[patient.pk])).json()
    last = data["ferritin"][-1]
    assert (last["value"], last["excluded"], last["left_out"]) == (
        900.0,
        True,
        "left out: inflammation",
    )
    assert [p["excluded"] for p in data["episodes"][0]["points"]] == [False, False, True]
    assert data["episodes"][0]["decline_points"] == 2
    assert data["projection"]["n_points"] == 2
    assert (
        data["projection"]["crossing"] == expected_two_point_estimate(patient).crossing.isoformat()
    )


def test_an_oral_iron_course_leaves_draws_out_through_the_same_function(
    owner_client, patient, episode
):
    services.save_treatment(
        OralIronCourse(patient=patient, started_on=week(13), ended_on=week(15), elemental_mg=65)
    )
    points = reminders.history_for(patient).points
    assert [p.excluded for p in sorted(points, key=lambda p: p.day)] == [False, False, True]
    data = owner_client.get(reverse("patient_chart_data", args=[patient.pk])).json()
    assert data["ferritin"][-1]["left_out"] == "left out: taken during Ferrous sulfate"
    assert reminders.plan_for(patient).estimate.n_points == 2

    # With the setting off, the course leaves nothing out; a reason given by hand still does.
    patient.leave_out_oral_iron = False
    services.save_person(patient)
    assert reminders.plan_for(patient).estimate.n_points == 3
    assert fit_inputs.oral_iron_periods(patient) == []
    services.leave_out(episode, "wrong_lab")
    data = owner_client.get(reverse("patient_chart_data", args=[patient.pk])).json()
    assert data["ferritin"][-1]["left_out"] == "left out: wrong lab"


def test_the_tables_mark_a_draw_taken_during_an_oral_iron_course(owner_client, patient, episode):
    """As the chart does (and as a draw left out by hand is marked): the person page and the
    lab results list said nothing of why the week-14 result was not in the fit."""
    services.save_treatment(
        OralIronCourse(patient=patient, started_on=week(13), ended_on=week(15), elemental_mg=65)
    )
    mark = "left out: taken during Ferrous sulfate"
    pages = [patient.get_absolute_url(), reverse("draw_list", args=[patient.pk])]
    # The person page marks its row, the latest value and the chart's words (the latest).
    for url, count in zip(pages, [3, 1], strict=True):
        assert owner_client.get(url).content.decode().count(mark) == count, url
    patient.leave_out_oral_iron = False
    services.save_person(patient)
    for url in pages:
        assert mark not in owner_client.get(url).content.decode(), url


def test_left_out_words_prefers_the_reason_given_by_hand():
    course = [Period(week(13), None, "Ferrous sulfate")]
    assert fit_inputs.left_out_words(week(14), "other", "", course) == "left out: other"
    assert fit_inputs.left_out_words(week(14), "", "", course) == (
        "left out: taken during Ferrous sulfate"
    )
    assert fit_inputs.left_out_words(week(12), "", "", course) == ""


@pytest.mark.parametrize("reason", ["", "illness"])
@pytest.mark.parametrize("day", [week(12), week(13), week(14), week(16)])
@pytest.mark.parametrize("ended", [week(15), None])
@pytest.mark.parametrize("comparator", ["", "<", None])
def test_the_re_checks_points_are_the_charts_without_the_words(reason, day, ended, comparator):
    courses = [Period(week(13), ended, "")]
    for periods in ([], courses):
        for after in (False, True, 0, 1):
            row = (day, 42.5, comparator, "City Lab", reason)
            point, _ = fit_inputs.ferritin_point(*row, "a note", after, periods)
            assert fit_inputs.fit_point(*row, after, periods) == point
    assert fit_inputs.fit_point(day, 1.0, "", None, "", None, []).lab == ""


# The pages -----------------------------------------------------------------------------


def test_leave_out_from_the_form_then_put_back(owner_client, patient, episode):
    url = reverse("draw_leave_out", args=[episode.pk])
    page = owner_client.get(url)
    assert page.status_code == 200
    assert "Leave out of the decline fit" in page.content.decode()

    response = owner_client.post(url, {"reason": "illness", "note": "flu", "version": "1"})
    assert response.status_code == 302 and response["Location"] == patient.get_absolute_url()
    episode.refresh_from_db()
    assert episode.left_out_words == "left out: illness (flu)"

    table = owner_client.get(reverse("draw_list", args=[patient.pk])).content.decode()
    assert "left out: illness (flu)" in table
    assert reverse("draw_put_back", args=[episode.pk]) in table
    # Other draws offer "Leave out"; this one offers "Put back" instead.
    assert url not in table

    back = reverse("draw_put_back", args=[episode.pk])
    assert owner_client.get(back).status_code == 200
    response = owner_client.post(back, {"version": "2"})
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.left_out_reason == ""
    assert (
        "left out:"
        not in owner_client.get(reverse("draw_list", args=[patient.pk])).content.decode()
    )


def test_the_form_names_the_field_and_saves_nothing_on_bad_input(owner_client, episode):
    url = reverse("draw_leave_out", args=[episode.pk])
    missing = owner_client.post(url, {"reason": "", "version": "1"})
    assert missing.status_code == 200
    assert "Why leave it out: choose a reason." in missing.content.decode()
    wrong = owner_client.post(url, {"reason": "flu", "version": "1"})
    assert "Why leave it out: choose illness, inflammation, wrong lab or other." in (
        wrong.content.decode()
    )
    long = owner_client.post(url, {"reason": "other", "note": "x" * 201, "version": "1"})
    assert "Note: at most 200 characters (201 typed)." in long.content.decode()
    episode.refresh_from_db()
    assert episode.left_out_reason == "" and episode.version == 1


def test_a_form_opened_before_another_change_saves_nothing(owner_client, episode):
    services.leave_out(episode, "illness")  # version 2, elsewhere
    response = owner_client.post(
        reverse("draw_leave_out", args=[episode.pk]), {"reason": "other", "version": "1"}
    )
    assert response.status_code == 200
    assert "changed elsewhere" in response.content.decode()
    episode.refresh_from_db()
    assert episode.left_out_reason == "illness"


def test_another_accounts_draw_is_a_404(outsider_client, episode):
    for name in ("draw_leave_out", "draw_put_back"):
        url = reverse(name, args=[episode.pk])
        assert outsider_client.get(url).status_code == 404
        assert outsider_client.post(url, {"reason": "illness", "version": "1"}).status_code == 404
    episode.refresh_from_db()
    assert episode.left_out_reason == ""


def test_reading_the_points_costs_the_same_queries_for_any_history(patient, episode):
    services.save_treatment(OralIronCourse(patient=patient, started_on=week(13), elemental_mg=65))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            reminders.history_for(patient)
        return len(ctx.captured_queries)

    small = count()
    for n in range(40):
        services.leave_out(
            add_ferritin(patient, week(16) + datetime.timedelta(days=n), 200), "other"
        )
    assert count() == small == 1  # ferritin rows, infusions and oral iron courses together


def test_the_report_marks_a_left_out_latest_ferritin(owner_client, patient, episode):
    url = reverse("patient_report", args=[patient.pk])
    assert "left out:" not in owner_client.get(url).content.decode()
    services.leave_out(episode, "illness", "flu")
    page = owner_client.get(url).content.decode()
    # The newest draw is in the results table, so 'Latest values' does not repeat it
    # (51c48da): its cell carries the mark.
    assert (
        '<span class="left-out" title="left out: illness (flu)">left out</span>'
        '<span class="visually-hidden"> (left out: illness (flu))</span>'
    ) in page


def test_the_chart_caption_explains_hollow_points_once_one_is_left_out(
    owner_client, patient, episode
):
    assert (
        "Hollow points: results left out"
        not in owner_client.get(patient.get_absolute_url()).content.decode()
    )
    services.leave_out(episode, "illness")
    page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "Hollow points: results left out of the decline fit" in page
