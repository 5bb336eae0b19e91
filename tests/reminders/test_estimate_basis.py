"""The re-check card and the charts page name what the estimate rests on, and never call
an estimate blended with the population default "From your own history" (domain/estimate:
Estimate.basis; Reminder.estimate_basis keeps it). Alice marked herself "This is me", so
the words are to her (tests/web/test_words_about_the_person.py has the other readers)."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from rlsapp.accounts.me import set_me
from rlsapp.reminders.models import Reminder

from .helpers import add_episode, open_reminder

TODAY = datetime.date.today()
EARLIER = TODAY - datetime.timedelta(weeks=60)
LATEST = TODAY - datetime.timedelta(weeks=12)
BLEND = "From your own history and the population default"


@pytest.fixture(autouse=True)
def alice_is_alice(owner, patient):
    set_me(owner, patient)


def earlier_and_current(patient):
    """An earlier infusion whose results halve every 20 weeks, then one result 8 weeks after
    the latest: the combined estimate of the earlier episode, this result and (the default
    setting) the population prior."""
    add_episode(patient, EARLIER, [(w, round(600 * 2 ** (-(w - 4) / 20))) for w in (4, 12, 20, 28)])
    add_episode(patient, LATEST, [(8, 150)])


def badge(html):
    start = html.index('estimate-basis">') + len('estimate-basis">')
    return html[start : html.index("</span>", start)]


def test_history_blended_with_the_population_default_says_so_on_card_and_charts_page(
    owner_client, patient
):
    assert patient.use_population_slope  # the default
    earlier_and_current(patient)
    reminder = open_reminder(patient)

    assert reminder.kind == "predicted" and reminder.window_text
    assert reminder.estimate_basis == "own_population"
    card = owner_client.get(patient.get_absolute_url()).content.decode()
    assert badge(card) == BLEND
    charts = owner_client.get(reverse("patient_charts", args=[patient.pk])).content.decode()
    assert badge(charts) == BLEND
    # The reason the card gives (the estimate's explanation) lists the population default too.
    assert "population default" in reminder.reason and "own history" not in reminder.reason


def test_without_the_population_default_it_is_the_persons_own_history(owner_client, patient):
    patient.use_population_slope = False
    patient.save()
    earlier_and_current(patient)

    assert open_reminder(patient).estimate_basis == "own"
    card = owner_client.get(patient.get_absolute_url()).content.decode()
    assert badge(card) == "From your own history"


def test_this_infusions_results_blended_with_the_population_default_are_named(
    owner_client, patient
):
    # Three results after one infusion: fewer than four, so combined with the prior.
    add_episode(patient, LATEST, [(4, 400), (8, 250), (11, 180)])
    reminder = open_reminder(patient)

    assert reminder.window_text and reminder.estimate_basis == "current_population"
    card = owner_client.get(patient.get_absolute_url()).content.decode()
    assert badge(card) == "From this infusion’s results and the population default"


def test_recompute_reminders_rewrites_a_basis_stored_before_the_rule_changed(patient):
    """Reminders stored by the old rule said 'own' for a blend: the command README says to
    run after an upgrade puts the right basis and reason in."""
    earlier_and_current(patient)
    stale_reason = "ferritin estimated … (estimate from your own history: …)"
    Reminder.objects.filter(patient=patient).update(estimate_basis="own", reason=stale_reason)

    call_command("recompute_reminders", stdout=open("/dev/null", "w"))

    reminder = open_reminder(patient)
    assert reminder.estimate_basis == "own_population"
    assert "own history" not in reminder.reason
