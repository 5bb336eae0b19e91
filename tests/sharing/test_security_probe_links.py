"""Attacks on shared records (issue 15, Security), part three: read-only links. A link
made by a previous owner, an ended link, odd tokens and other methods answer as an unknown
token; each view is in the access log, the chart data read alone too."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rlsapp.links import services as links
from rlsapp.links.models import ReadOnlyLink
from rlsapp.tracking.access_log import AccessLogEntry
from rlsapp.tracking.models import Patient
from tests.reminders.helpers import add_ferritin
from tests.sharing import probe_helpers
from tests.sharing.probe_helpers import hand_over, page_text

pytestmark = pytest.mark.django_db

# The probe's accounts (probe_helpers): Bob edits Alice's person.
bob = probe_helpers.bob


def test_the_previous_owners_links_stop_at_a_transfer(owner, patient, bob):
    """The new owner decides who sees the record; the old owner, now an editor, could not
    even revoke the links they made."""
    link, token = links.make_link(patient, owner)
    assert Client().get(reverse("link_report", args=[token])).status_code == 200
    hand_over(patient, owner, bob)
    assert Client().get(reverse("link_report", args=[token])).status_code == 404
    assert Client().get(reverse("link_chart_data", args=[token])).status_code == 404
    # The new owner's list shows it revoked, and a link they make works.
    assert ReadOnlyLink.objects.get(pk=link.pk).status() == "revoked"
    _, theirs = links.make_link(patient, bob)
    assert Client().get(reverse("link_report", args=[theirs])).status_code == 200


def test_a_link_works_only_while_its_maker_owns_the_person(owner, patient, bob):
    """However ownership moved, even without the signal (a raw update in the shell)."""
    _, token = links.make_link(patient, owner)
    Patient.objects.filter(pk=patient.pk).update(owner=bob)
    assert Client().get(reverse("link_report", args=[token])).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete", "options", "patch"])
def test_a_link_answers_other_methods_as_an_unknown_token(owner, patient, method):
    _, token = links.make_link(patient, owner)
    working = getattr(Client(), method)(reverse("link_report", args=[token]))
    unknown = getattr(Client(), method)(reverse("link_report", args=["x" * 43]))
    assert working.status_code == unknown.status_code == 404
    assert page_text(working) == page_text(unknown)


@pytest.mark.parametrize("token", ["a" * 65, "a" * 2000, "%00", "..", "a%2Fb"])
def test_odd_link_tokens_are_404s(client, db, token):
    assert client.get(f"/shared/{token}/").status_code == 404
    assert client.get(f"/shared/{token}/charts.json").status_code == 404


@pytest.mark.parametrize("ended", ["revoked", "expired", "deleted person"])
def test_an_ended_link_answers_as_an_unknown_token(owner, patient, ended):
    from rlsapp.tracking.services import people

    link, token = links.make_link(patient, owner)
    if ended == "revoked":
        links.revoke(link)
    elif ended == "expired":
        ReadOnlyLink.objects.filter(pk=link.pk).update(expires=timezone.now())
    else:
        people.delete_person(patient)
    for name in ("link_report", "link_chart_data"):
        mine = Client().get(reverse(name, args=[token]))
        unknown = Client().get(reverse(name, args=["B" * 43]))
        assert mine.status_code == unknown.status_code == 404
        assert page_text(mine) == page_text(unknown)


def test_a_link_page_is_one_access_log_row_and_its_chart_data_none(owner, patient, today):
    add_ferritin(patient, today, 40)
    _, token = links.make_link(patient, owner)
    visitor = Client()
    visitor.get(reverse("link_report", args=[token]))
    visitor.get(reverse("link_chart_data", args=[token]))
    rows = AccessLogEntry.objects.filter(person=patient)
    assert rows.count() == 1
    row = rows.get()
    # The page's name, never its address (the token) nor anything of the records.
    assert row.page == "link_report" and "40" not in row.link_label


def test_a_links_chart_data_fetched_without_its_page_is_logged(owner, patient, today):
    """The chart data holds the values: read alone, by a script that never opens the
    report, it is a view of its own in the access log."""
    import time_machine

    add_ferritin(patient, today, 40)
    _, token = links.make_link(patient, owner)
    Client().get(reverse("link_chart_data", args=[token]))
    rows = AccessLogEntry.objects.filter(person=patient)
    assert list(rows.values_list("page", flat=True)) == ["link_chart_data"]
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        Client().get(reverse("link_report", args=[token]))
        Client().get(reverse("link_chart_data", args=[token]))  # the page's own fetch
    assert rows.count() == 2
