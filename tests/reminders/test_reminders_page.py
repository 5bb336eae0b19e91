"""The one Reminders page (issue 16 item 4): email, days ahead, weekends, names in calendar
entries, and the calendar subscription shown once, with webcal://, copy button and QR code."""

import datetime
import re

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from rlsapp.reminders import feeds
from rlsapp.reminders.models import CalendarFeed, Reminder
from rlsapp.tracking.memberships import EDITOR, VIEWER, Membership
from rlsapp.tracking.models import Patient

from .helpers import add_infusion, open_reminder

# 8 weeks after this infusion is Sunday 27 April 2025.
INFUSED = datetime.date(2025, 3, 2)


def settings_post(**overrides):
    return {"email_reminders": "on", "days_ahead": "14"} | overrides


def feed_events(owner):
    _, token = feeds.new_calendar_address(owner)
    response = Client().get(CalendarFeed.url_for(token))
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_the_page_is_linked_from_the_navigation_and_account_settings(owner_client):
    for name in ("reminders", "account_settings"):
        assert f'href="{reverse("reminders")}"' in owner_client.get(reverse(name)).content.decode()


def test_the_page_needs_a_sign_in(client, db):
    assert client.get(reverse("reminders")).status_code == 302


def test_days_ahead_and_weekends_apply_to_everyone_tracked(owner_client, owner, patient):
    bea = Patient.objects.create(owner=owner, name="Bea", reminder_lead_days=7)
    response = owner_client.post(
        reverse("reminders"), settings_post(days_ahead="21", skip_weekends="on")
    )
    assert response.status_code == 302
    for person in (patient, bea):
        person.refresh_from_db()
        assert (person.reminder_lead_days, person.skip_weekends) == (21, True)


def test_saving_keeps_what_another_member_changed_after_the_page_read_the_people(
    owner, make_user, patient
):
    # The page reads the people at the request's start; saved as read, a threshold and a
    # name another member saved meanwhile were put back.
    from rlsapp.reminders.account_settings import save_settings
    from rlsapp.tracking import services

    clinician = make_user("clinician@example.com")
    Membership.objects.create(person=patient, account=clinician, role=EDITOR)
    read = list(Patient.objects.for_user(clinician, need="edit"))
    changed = Patient.objects.get(pk=patient.pk)
    changed.ferritin_threshold, changed.name = 42, "Alice B."
    services.save_person(changed, by=owner)
    save_settings(clinician, read, email=True, days_ahead=3, skip_weekends=True, names=False)
    patient.refresh_from_db()
    assert (patient.ferritin_threshold, patient.name) == (42, "Alice B.")
    assert (patient.reminder_lead_days, patient.skip_weekends) == (3, True)


def test_blank_days_ahead_keeps_each_persons_own(owner_client, owner, patient):
    Patient.objects.create(owner=owner, name="Bea", reminder_lead_days=7)
    page = owner_client.get(reverse("reminders")).content.decode()
    assert "days ahead differ between people" in page
    owner_client.post(reverse("reminders"), settings_post(days_ahead=""))
    assert sorted(Patient.objects.values_list("reminder_lead_days", flat=True)) == [7, 14]


def test_skipping_weekends_moves_an_open_sunday_recheck_to_monday(owner_client, patient):
    add_infusion(patient, INFUSED)
    assert open_reminder(patient).remind_on == datetime.date(2025, 4, 27)
    owner_client.post(reverse("reminders"), settings_post(skip_weekends="on"))
    reminder = open_reminder(patient)
    assert reminder.remind_on == datetime.date(2025, 4, 28)
    assert "moved from Sunday to Monday" in reminder.reason


def test_email_can_be_turned_off_and_on(owner_client, owner):
    owner_client.post(reverse("reminders"), settings_post(email_reminders=""))
    owner.refresh_from_db()
    assert not owner.email_reminders
    owner_client.post(reverse("reminders"), settings_post())
    owner.refresh_from_db()
    assert owner.email_reminders


@pytest.mark.parametrize("typed", ["-1", "121", "two"])
def test_a_wrong_days_ahead_is_refused_naming_the_field(owner_client, patient, typed):
    response = owner_client.post(reverse("reminders"), settings_post(days_ahead=typed))
    assert response.status_code == 400
    assert "Days ahead: enter a whole number from 0 to 120." in response.content.decode()
    patient.refresh_from_db()
    assert patient.reminder_lead_days == 14


def test_calendar_entries_carry_no_name_and_no_value_by_default(owner, patient):
    add_infusion(patient, INFUSED)
    (event,) = feed_events(owner)
    assert str(event["summary"]) == "Ferritin re-check"
    text = event.to_ical().decode()
    assert "Alice" not in text and "weeks after" not in text
    assert f"/patients/{patient.pk}/" in str(event["description"])


def test_the_name_setting_renders_the_stored_events_again(owner_client, owner, patient):
    add_infusion(patient, INFUSED)
    feed_events(owner)  # cached feed, stored event without the name
    owner_client.post(reverse("reminders"), settings_post(calendar_names="on"))
    stored = Reminder.objects.get(patient=patient).calendar_event
    assert "SUMMARY:Ferritin re-check: Alice" in stored
    (event,) = feed_events(owner)
    assert str(event["summary"]) == "Ferritin re-check: Alice"
    assert "8 weeks after the infusion" in str(event["description"])
    owner_client.post(reverse("reminders"), settings_post())
    (event,) = feed_events(owner)
    assert str(event["summary"]) == "Ferritin re-check"


def test_a_new_address_comes_with_webcal_link_copy_button_qr_and_steps(
    owner_client, owner, settings
):
    html = owner_client.post(reverse("calendar_regenerate")).content.decode()
    path = re.search(r"(/calendar/[\w-]+\.ics)</textarea>", html)[1]
    site = settings.SITE_URL  # the address is built from it, never the request's host
    assert f'href="webcal://{site.split("://", 1)[1]}{path}"' in html
    assert f">{site}{path}</textarea>" in html
    assert 'data-copy="feed-address"' in html and "js/copy.js" in html
    assert "<svg" in html
    for step in ("iPhone", "Google Calendar", "Outlook"):
        assert f"<dt>{step}" in html


def test_the_page_shows_the_settings_of_the_people_it_changes(owner, make_user, patient):
    """Days ahead and weekends are saved only for the people the account can edit, so the
    form shows theirs: a person it only views, with other settings, does not make the boxes
    look unset, and saving the page (to turn emails on, say) does not flip the weekends of
    every person it edits."""
    clinician = make_user("clinic@example.com")
    edited = Patient.objects.create(owner=owner, name="Bea", skip_weekends=True)
    Membership.objects.create(person=edited, account=clinician, role=EDITOR)
    Membership.objects.create(person=patient, account=clinician, role=VIEWER)  # weekends off
    client = Client()
    client.force_login(clinician)
    page = client.get(reverse("reminders")).content.decode()
    box = re.search(r'<input[^>]*name="skip_weekends"[^>]*>', page)[0]
    assert "checked" in box
    assert "days ahead differ" not in page
    # What the browser sends back: the boxes as shown, the email box newly ticked.
    client.post(reverse("reminders"), settings_post(skip_weekends="on"))
    edited.refresh_from_db()
    patient.refresh_from_db()
    assert (edited.skip_weekends, patient.skip_weekends) == (True, False)


def test_an_account_that_edits_no_one_is_not_offered_their_settings(owner, make_user, patient):
    """Days ahead and weekends would be saved for no one: a viewer is not asked for them."""
    viewer = make_user("viewer@example.com")
    Membership.objects.create(person=patient, account=viewer, role=VIEWER)
    client = Client()
    client.force_login(viewer)
    page = client.get(reverse("reminders")).content.decode()
    assert 'name="email_reminders"' in page
    assert 'name="days_ahead"' not in page and 'name="skip_weekends"' not in page
