"""A ferritin result left out of the fits is shown with its mark wherever it is shown as a
number, in the chart's words (tracking.fit_inputs): the re-check's words beside it were
worked out without it ('below the threshold since ...')."""

import datetime
import re

import pytest
from django.urls import reverse

from rlsapp.tracking import services
from rlsapp.tracking.treatments import OralIronCourse
from tests.reminders.helpers import add_ferritin


def words(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def ill(client, owner, patient):
    """80 µg/L, then 300 left out for an illness (the review's example)."""
    today = datetime.date.today()
    add_ferritin(patient, today - datetime.timedelta(days=40), 80)
    draw = add_ferritin(patient, today - datetime.timedelta(days=10), 300)
    services.leave_out(draw, "illness", "flu")
    client.force_login(owner)
    return patient


def test_person_page_latest_value_and_chart_words_carry_the_mark(client, ill):
    page = words(client.get(reverse("patient_detail", args=[ill.pk])))
    latest = page[page.index("Latest values") : page.index("Ferritin and infusions")]
    assert "300 µg/L" in latest and "left out: illness (flu)" in latest
    assert "the latest 300 µg/L (left out: illness (flu))" in page
    # The note beside it is about the results in the fits.
    assert "below the threshold of 100 µg/L since" in page


@pytest.mark.parametrize("name", ["patient_charts", "patient_report"])
def test_charts_page_and_report_words_carry_the_mark(client, ill, name):
    page = words(client.get(reverse(name, args=[ill.pk])))
    assert "the latest 300 µg/L (left out: illness (flu))" in page


def test_results_table_says_why_in_the_charts_words(client, ill):
    page = words(client.get(reverse("patient_chart_table", args=[ill.pk])))
    assert "300 (left out: illness (flu))" in page


def test_a_result_during_an_oral_iron_course_is_marked_on_the_page_and_table(
    client, owner, patient
):
    today = datetime.date.today()
    add_ferritin(patient, today - datetime.timedelta(days=60), 80)
    course = OralIronCourse(
        patient=patient,
        product="ferrous_sulfate",
        elemental_mg=65,
        started_on=today - datetime.timedelta(days=30),
    )
    services.save_treatment(course)
    add_ferritin(patient, today - datetime.timedelta(days=5), 140)
    client.force_login(owner)
    page = words(client.get(reverse("patient_detail", args=[patient.pk])))
    latest = page[page.index("Latest values") : page.index("Ferritin and infusions")]
    assert "left out: taken during Ferrous sulfate" in latest
    assert "the latest 140 µg/L (left out: taken during Ferrous sulfate)" in page
    table = words(client.get(reverse("patient_chart_table", args=[patient.pk])))
    assert "140 (left out: taken during Ferrous sulfate)" in table


def test_the_worklist_marks_a_left_out_latest_ferritin(client, ill, owner):
    page = words(client.get(reverse("worklist")))
    assert "300 µg/L left out: illness (flu)" in page
    services.put_back(ill.draws.latest("drawn_on"))
    assert "left out" not in words(client.get(reverse("worklist")))


def test_the_reminder_email_marks_a_left_out_latest_ferritin(owner, patient):
    import io

    import time_machine
    from django.core import mail
    from django.core.management import call_command

    from tests.reminders.helpers import add_infusion, local, open_reminder

    infused = datetime.date(2025, 3, 3)
    add_infusion(patient, infused)
    add_ferritin(patient, infused + datetime.timedelta(weeks=8), 80)
    course = OralIronCourse(
        patient=patient, elemental_mg=65, started_on=infused + datetime.timedelta(weeks=9)
    )
    services.save_treatment(course)
    add_ferritin(patient, infused + datetime.timedelta(weeks=10), 140)
    reminder = open_reminder(patient)
    with time_machine.travel(local(reminder.remind_on, 9), tick=False):
        call_command("send_reminders", stdout=io.StringIO())
    assert (
        "Latest ferritin: 140 µg/L (left out: taken during Ferrous sulfate) on 12 May 2025"
        in mail.outbox[0].body
    )


def test_the_recheck_card_says_which_result_below_since_does_not_count(client, ill):
    page = words(client.get(reverse("patient_detail", args=[ill.pk])))
    day = datetime.date.today() - datetime.timedelta(days=10)
    assert f"not counting the result of {day.day} {day:%B %Y}, left out of the fits." in page


@pytest.mark.parametrize("name", ["patient_detail", "patient_charts"])
def test_a_single_ferritin_left_out_says_so_in_the_one_result_note(client, owner, patient, name):
    draw = add_ferritin(patient, datetime.date.today() - datetime.timedelta(days=3), 300)
    services.leave_out(draw, "inflammation")
    client.force_login(owner)
    page = words(client.get(reverse(name, args=[patient.pk])))
    assert "One ferritin result so far (300 µg/L, left out: inflammation, on" in page
