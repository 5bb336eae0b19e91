"""Second person only to the person themself: the person page, its re-check card, the
charts page and the chart JSON say "your" only to an account that marked the person
"This is me"; a viewer, a clinician or the owner of someone else reads "this person's" or
a neutral form (tracking/templatetags/person_words.py, domain wording). The printable
report names the person to everyone, the person themself included."""

import datetime
import re

import pytest
from django.urls import reverse

from rlsapp.accounts.me import set_me
from rlsapp.reminders.sending import compose, latest_ferritin
from rlsapp.tracking import services
from rlsapp.tracking.memberships import VIEWER, Membership
from tests.charts.helpers import add_draw
from tests.conftest import client_for
from tests.reminders.helpers import add_episode, add_ferritin, add_infusion, open_reminder

TODAY = datetime.date.today()
EARLIER = TODAY - datetime.timedelta(weeks=60)
LATEST = TODAY - datetime.timedelta(weeks=12)
# Only the page's <main> is read: the site's menus speak of the reader's own account.
MAIN = re.compile(r"<main\b.*?</main>", re.S)
# "Your" that is about the reader, not the person: the reader's own region setting.
READERS_OWN = {"your region writes them)"}


@pytest.fixture
def history(patient):
    """An earlier infusion with four results, then one 8 weeks after the latest: an estimate
    from the earlier episode blended with the population default."""
    add_episode(patient, EARLIER, [(w, round(600 * 2 ** (-(w - 4) / 20))) for w in (4, 12, 20, 28)])
    add_episode(patient, LATEST, [(8, 150)])
    return patient


def main(client, name, patient):
    response = client.get(reverse(name, args=[patient.pk]))
    assert response.status_code == 200
    return MAIN.search(response.content.decode()).group(0)


def pages(client, patient):
    return main(client, "patient_detail", patient) + main(client, "patient_charts", patient)


def your_phrases(html):
    return sorted(set(re.findall(r"\b[Yy]our\b[^<.;,]{0,30}", html)) - READERS_OWN)


def test_to_the_person_themself_the_pages_say_your(owner, owner_client, history):
    set_me(owner, history)
    html = pages(owner_client, history)

    for phrase in (
        "your threshold",
        "worked out from your own results",
        "When your own results are too few",
        "From your own history and the population default",
        "your 1 earlier episode",
        "combined with your earlier infusions",
    ):
        assert phrase in html, phrase
    assert "this person’s" not in html


@pytest.mark.parametrize("reader", ["viewer", "owner_not_me"])
def test_anyone_else_reads_this_persons_and_no_your(reader, owner_client, bob, history):
    if reader == "viewer":
        Membership.objects.create(person=history, account=bob, role=VIEWER)
        client = client_for(bob)
    else:  # Alice keeps a record she never marked as herself (a parent's, say)
        client = owner_client
    html = pages(client, history)

    assert your_phrases(html) == []
    for phrase in (
        "this person’s threshold",
        "worked out from this person’s own results",
        "When this person’s own results are too few",
        "From this person’s history and the population default",
        "this person’s 1 earlier episode",
        "combined with this person’s earlier infusions",
    ):
        assert phrase in html, phrase


def test_the_footer_on_every_page_claims_no_ones_own_results(bob, history):
    """The site's footer is under every page, a viewer's too: it neither says "your" nor
    calls an estimate (perhaps blended with the population default) one's own results."""
    Membership.objects.create(person=history, account=bob, role=VIEWER)
    page = client_for(bob).get(reverse("patient_detail", args=[history.pk])).content.decode()
    footer = page[page.index("</main>") :]

    assert "estimates from the results recorded here" in footer
    assert your_phrases(footer) == []


def test_a_viewer_who_marked_their_own_person_still_reads_this_persons(bob, history):
    """The mark is per person: Bob's own record marked as him changes nothing on Alice's."""
    bobs = type(history).objects.create(owner=bob, name="Bob")
    set_me(bob, bobs)
    Membership.objects.create(person=history, account=bob, role=VIEWER)

    html = pages(client_for(bob), history)
    assert your_phrases(html) == []
    assert "From this person’s history and the population default" in html


def test_the_chart_json_and_the_stored_recheck_say_no_your(owner, owner_client, history):
    """Both are the same for every reader (the JSON feeds a read-only link's report too; the
    re-check's words are emailed to every member who gets reminders)."""
    set_me(owner, history)
    body = owner_client.get(reverse("patient_chart_data", args=[history.pk])).content.decode()
    reminder = open_reminder(history)

    assert "population default" in body and "earlier episode" in body
    assert your_phrases(body) == []
    assert "population default" in reminder.reason
    assert your_phrases(reminder.reason) == []
    email = compose(reminder, latest_ferritin([history.pk]).get(history.pk)).body
    assert "decided with the treating clinician" in email and your_phrases(email) == []
    # A result below the threshold: the card's note names the threshold, not "your".
    add_ferritin(history, TODAY - datetime.timedelta(days=1), 90)
    notes = open_reminder(history).note_lines
    assert "Ferritin has been below the threshold of 100 µg/L since" in notes[0]
    assert your_phrases("\n".join(notes)) == []


# Any second person: "you", "your", "yours", "yourself".
SECOND_PERSON = re.compile(r"\b[Yy]ou(?:rs?|rself)?\b")


def test_the_printable_report_names_the_person_even_to_the_person_themself(
    owner, owner_client, history
):
    """The report is printed and handed to a clinician, so it names the person in the third
    person to whoever opens it, the person themself included."""
    set_me(owner, history)
    html = main(owner_client, "patient_report", history)

    assert SECOND_PERSON.findall(html) == []
    for phrase in (
        "this person’s threshold",
        "From this person’s history and the population default",
        "this person’s 1 earlier episode",
        "combined with this person’s earlier infusions",
    ):
        assert phrase in html, phrase


def test_the_printable_report_says_you_nowhere(owner, owner_client, patient):
    """Not even in words for every reader: the chart's note on results left out by hand
    (printed) and a lab change's mark (its title)."""
    set_me(owner, patient)
    add_infusion(patient, EARLIER)
    for weeks, value in ((4, 600), (12, 450), (20, 320)):
        add_draw(patient, EARLIER + datetime.timedelta(weeks=weeks), ferritin=value, lab="Old Lab")
    add_infusion(patient, LATEST)
    for weeks, value in ((4, 700), (8, 500)):
        draw = add_draw(patient, LATEST + datetime.timedelta(weeks=weeks), ferritin=value)
    services.leave_out(draw, "illness")
    html = main(owner_client, "patient_report", patient)

    assert "Hollow points: results left out of the decline fit (illness," in html
    assert "Lab changed from Old Lab to City Lab (Roche)" in html
    assert SECOND_PERSON.findall(html) == []
