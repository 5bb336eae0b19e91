"""The secret iCalendar feed and the one-off .ics download, parsed with `icalendar`."""

import base64
import datetime
import hashlib
import re

import icalendar
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from rlsapp import tokens
from rlsapp.reminders import services
from rlsapp.reminders.models import CalendarFeed
from rlsapp.tracking import services as records
from rlsapp.tracking.models import Patient

from .helpers import add_ferritin, add_infusion, open_reminder

INFUSED = datetime.date(2025, 3, 3)


def shown_address(response):
    """The feed's path as the page that made it shows it (the only place it is ever seen)."""
    html = response.content.decode()
    site = re.escape(settings.SITE_URL)
    return re.search(rf'id="feed-address"[^>]*>{site}([^<]+)</textarea>', html)[1]


@pytest.fixture
def feed_url(owner_client):
    return shown_address(owner_client.post(reverse("calendar_regenerate")))


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_the_feed_lists_open_rechecks_as_all_day_events_with_an_alarm(
    client, owner, patient, feed_url
):
    owner.calendar_names = True  # the name and the reason (off by default: test_reminders_page)
    owner.save()
    add_infusion(patient, INFUSED)
    bob = Patient.objects.create(owner=owner, name="Bob")
    add_ferritin(bob, datetime.date(2025, 1, 10), 120)

    found = sorted(events(client.get(feed_url)), key=lambda e: e.decoded("dtstart"))
    assert [e.decoded("dtstart") for e in found] == [
        datetime.date(2025, 4, 4),
        datetime.date(2025, 4, 28),
    ]
    event = found[1]
    assert type(event.decoded("dtstart")) is datetime.date  # all-day
    assert event.decoded("dtend") == datetime.date(2025, 4, 29)
    assert str(event["summary"]) == "Ferritin re-check: Alice"
    assert "8 weeks after the infusion on 3 March." in str(event["description"])
    assert "does not give medical advice" in str(event["description"])
    alarms = event.walk("VALARM")
    assert len(alarms) == 1 and str(alarms[0]["action"]) == "DISPLAY"
    assert alarms[0].decoded("trigger") == datetime.timedelta(hours=9)


def test_an_event_keeps_its_uid_when_the_date_moves(client, patient, feed_url):
    add_infusion(patient, INFUSED)
    (before,) = events(client.get(feed_url))
    patient.first_recheck_weeks = 6
    records.save_person(patient)
    (after,) = events(client.get(feed_url))
    assert str(before["uid"]) == str(after["uid"])
    assert after.decoded("dtstart") == datetime.date(2025, 4, 14)


def test_the_feed_leaves_out_dismissed_rechecks_and_other_users(
    client, patient, feed_url, make_user
):
    add_infusion(patient, INFUSED)
    services.dismiss(open_reminder(patient))
    stranger = Patient.objects.create(owner=make_user("dan@example.com"), name="Dan")
    add_infusion(stranger, INFUSED)
    assert events(client.get(feed_url)) == []


def test_a_new_address_revokes_the_old_one(client, owner_client, patient, feed_url):
    add_infusion(patient, INFUSED)
    new_url = shown_address(owner_client.post(reverse("calendar_regenerate")))
    assert new_url != feed_url
    assert client.get(feed_url).status_code == 404
    assert len(events(client.get(new_url))) == 1


@pytest.mark.parametrize(
    "token",
    ["wrong", "x" * 43, "", "../../etc/passwd", "x" * 65, "x" * 5000, "é" * 43],
    ids=["short", "guess", "empty", "path", "too-long", "far-too-long", "not-ascii"],
)
def test_a_wrong_token_is_a_404_that_reveals_nothing(client, feed_url, token):
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert b"token" not in response.content.lower()
    assert b"calendar" not in response.content.lower()


def test_turning_the_feed_off_and_deactivating_the_account_close_it(
    client, owner_client, owner, feed_url
):
    owner.is_active = False
    owner.save()
    assert client.get(feed_url).status_code == 404
    owner.is_active = True
    owner.save()
    assert client.get(feed_url).status_code == 200
    owner_client.post(reverse("calendar_stop"))
    assert client.get(feed_url).status_code == 404


def test_the_feed_address_is_shown_once_when_made_and_not_on_a_later_visit(owner_client, owner):
    answer = owner_client.post(reverse("calendar_regenerate"))
    feed_url, made = shown_address(answer), answer.content.decode()
    host = settings.SITE_URL.split("://", 1)[1]
    assert f"{settings.SITE_URL}{feed_url}" in made
    assert f"webcal://{host}{feed_url}" in made
    later = owner_client.get(reverse("reminders")).content.decode()
    assert feed_url not in later
    assert "shown once" in later
    assert feed_url not in owner_client.get(reverse("account_settings")).content.decode()


def test_the_feed_address_is_built_from_site_url_not_the_requests_host(owner, settings):
    """The address is pasted into calendar services for years: a request naming another
    host (ALLOWED_HOSTS '*', which check --deploy accepts) must not have it shown there."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://rls.example.org"
    app = Client(HTTP_HOST="attacker.example")
    app.force_login(owner)
    html = app.post(reverse("calendar_regenerate")).content.decode()
    assert "attacker.example" not in html
    path = re.search(r'id="feed-address"[^>]*>https://rls\.example\.org([^<]+)</textarea>', html)[1]
    assert f'href="webcal://rls.example.org{path}"' in html


def test_only_the_tokens_hash_is_kept_and_the_page_offers_to_renew(client, owner_client, owner):
    feed_url = shown_address(owner_client.post(reverse("calendar_regenerate")))
    token = feed_url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(base64.urlsafe_b64decode(token + "=")) == 32  # 256 bits
    stored = CalendarFeed.objects.get(user=owner).token_hash
    assert stored == hashlib.sha256(token.encode()).hexdigest() == tokens.digest(token)
    assert token not in stored
    later = owner_client.get(reverse("reminders")).content.decode()
    assert "Its address is hidden" in later and "Renew the address" in later
    # A stored hash presented as a token opens nothing.
    assert client.get(CalendarFeed.url_for(stored)).status_code == 404
    assert client.get(feed_url).status_code == 200


def test_the_feed_needs_three_queries_or_fewer_however_many_rechecks(
    owner, feed_url, django_assert_max_num_queries
):
    for i in range(40):
        add_infusion(Patient.objects.create(owner=owner, name=f"P{i}"), INFUSED)
    calendar_app = Client()  # no session: the one that made feed_url is signed in
    with django_assert_max_num_queries(3):
        assert len(events(calendar_app.get(feed_url))) == 40


def test_one_recheck_downloads_as_ics_with_the_feeds_uid(client, owner_client, patient, feed_url):
    add_infusion(patient, INFUSED)
    reminder = open_reminder(patient)
    response = owner_client.get(reverse("reminder_ics", args=[reminder.pk]))
    assert (
        response["Content-Disposition"] == 'attachment; filename="ferritin-recheck-2025-04-28.ics"'
    )
    (single,) = events(response)
    (in_feed,) = events(client.get(feed_url))
    assert str(single["uid"]) == str(in_feed["uid"])
    assert single.decoded("dtstart") == datetime.date(2025, 4, 28)


def _download_with_names(owner, client, patient, name):
    """The .ics download of the re-check of a person of that name, with names on."""
    owner.calendar_names = True
    owner.save()
    patient.name = name
    records.save_person(patient)
    add_infusion(patient, INFUSED)
    return client.get(reverse("reminder_ics", args=[open_reminder(patient).pk]))


def test_the_downloads_calendar_name_is_escaped_text(owner, owner_client, patient):
    """X-WR-CALNAME holds the person's name with names on: TEXT, so , ; \\ and a line
    break are escaped (the library writes unknown properties as they are: a line break
    in the name was a 500, and a comma split the value for readers of TEXT lists)."""
    response = _download_with_names(owner, owner_client, patient, "Ann, B; C\\D\nE")
    assert response.status_code == 200
    unfolded = re.sub(rb"\r\n[ \t]", b"", response.content).decode()
    assert "\r\nX-WR-CALNAME:Ferritin re-check: Ann\\, B\\; C\\\\D\\nE\r\n" in unfolded
    # The library reads an X- property as it stands; calendar apps read it as TEXT.
    written = re.search(r"\r\nX-WR-CALNAME:([^\r]*)\r\n", unfolded)[1]
    as_text = icalendar.Event.from_ical(f"BEGIN:VEVENT\r\nSUMMARY:{written}\r\nEND:VEVENT\r\n")
    assert str(as_text["summary"]) == "Ferritin re-check: Ann, B; C\\D\nE"


def test_a_dismissed_or_done_recheck_is_no_download(owner_client, patient):
    """Only open re-checks are in the feed; a closed one's event (same UID) would put a
    re-check that was dismissed, or done, back in the calendar."""
    add_infusion(patient, INFUSED)
    first = open_reminder(patient)
    add_ferritin(patient, INFUSED + datetime.timedelta(weeks=8), 300)  # done
    second = open_reminder(patient)
    services.dismiss(second)
    for closed in (first, second):
        response = owner_client.get(reverse("reminder_ics", args=[closed.pk]))
        assert response.status_code == 404


def test_control_characters_in_a_name_are_left_out_of_the_entries(
    client, owner, owner_client, patient, feed_url
):
    """A form feed or an escape typed into a name (the person form takes them) is no TEXT:
    the feed, its stored events and the download leave them out."""
    download = _download_with_names(owner, owner_client, patient, "Ann\x0cB\x1bC\x7f")
    for body in (client.get(feed_url).content, download.content):
        assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body)
        (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
        assert str(event["summary"]) == "Ferritin re-check: AnnBC"


def test_the_download_needs_a_sign_in(client, patient):
    add_infusion(patient, INFUSED)
    response = client.get(reverse("reminder_ics", args=[open_reminder(patient).pk]))
    assert response.status_code == 302


def test_the_cached_feed_shows_a_new_recheck_at_once(client, patient, feed_url):
    assert events(client.get(feed_url)) == []
    add_infusion(patient, INFUSED)
    assert len(events(client.get(feed_url))) == 1
