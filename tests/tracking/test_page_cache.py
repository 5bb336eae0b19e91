"""Cached pages never show data older than what is saved."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from rlsapp.reminders.models import Reminder, send_time
from rlsapp.reminders.sending import send_due
from rlsapp.tracking import services
from rlsapp.tracking.caching import person_key
from rlsapp.tracking.models import Infusion, LabDraw, Patient

from .helpers import draw_post, patient_post


@pytest.fixture
def seen(owner_client, patient, today):
    """The worklist, patient page and chart JSON have been viewed (and cached) once."""
    owner_client.post(reverse("draw_create", args=[patient.pk]), draw_post(today, ferritin="150"))
    for url in pages(patient):
        owner_client.get(url)
    return owner_client


def pages(patient):
    return [
        reverse("worklist"),
        patient.get_absolute_url(),
        reverse("patient_chart_data", args=[patient.pk]),
    ]


def everywhere(client, patient, text):
    return all(text in client.get(url).content.decode() for url in pages(patient))


def test_a_new_result_shows_at_once(seen, patient, today):
    seen.post(reverse("draw_create", args=[patient.pk]), draw_post(today, ferritin="64"))
    assert everywhere(seen, patient, "64")


def test_an_edited_result_shows_at_once(seen, patient, today):
    draw = LabDraw.objects.get()
    form = seen.get(reverse("draw_edit", args=[draw.pk])).context["form"]
    data = draw_post(today, ferritin="87") | {"version": form["version"].value()}
    seen.post(reverse("draw_edit", args=[draw.pk]), data)
    assert everywhere(seen, patient, "87")


def test_a_deleted_result_disappears_at_once(seen, patient):
    seen.post(reverse("draw_delete", args=[LabDraw.objects.get().pk]))
    assert "150 µg/L" not in seen.get(patient.get_absolute_url()).content.decode()
    assert seen.get(reverse("patient_chart_data", args=[patient.pk])).json()["ferritin"] == []


def test_a_new_infusion_shows_at_once(seen, patient, today):
    seen.post(
        reverse("infusion_create", args=[patient.pk]),
        {"given_on": str(today), "product": "sucrose", "dose_mg": "500"},
    )
    assert "Iron sucrose" in seen.get(patient.get_absolute_url()).content.decode()
    assert (
        "Iron sucrose"
        in seen.get(reverse("patient_chart_data", args=[patient.pk])).content.decode()
    )


def test_a_changed_threshold_shows_at_once(seen, patient):
    data = patient_post(ferritin_threshold="175", version=Patient.objects.get().version)
    seen.post(reverse("patient_edit", args=[patient.pk]), data)
    assert "below threshold 175" in seen.get(reverse("worklist")).content.decode()
    assert seen.get(reverse("patient_chart_data", args=[patient.pk])).json()["threshold"] == 175


def test_a_new_person_shows_on_the_worklist_at_once(seen, owner):
    services.save_person(Patient(owner=owner, name="Bea"))
    assert "Bea" in seen.get(reverse("worklist")).content.decode()


def test_tomorrow_a_page_is_worked_out_again(seen, patient, today):
    Infusion.objects.filter(patient=patient).delete()
    with time_machine.travel(
        datetime.datetime.combine(today, datetime.time(12)) + datetime.timedelta(days=1)
    ):
        assert seen.get(patient.get_absolute_url()).context["today"] == today + datetime.timedelta(
            days=1
        )


def test_one_users_cache_is_not_shown_to_another(seen, patient, outsider_client, outsider):
    services.save_person(Patient(owner=outsider, name="Charlie own"))
    html = outsider_client.get(reverse("worklist")).content.decode()
    assert "Charlie own" in html
    assert patient.name not in html


def test_a_snooze_from_the_cached_card_shows_at_once(seen, patient):
    reminder = Reminder.objects.open().get(patient=patient)
    page = seen.get(patient.get_absolute_url()).content.decode()
    assert "Snoozed" not in page
    seen.post(reverse("reminder_snooze", args=[reminder.pk]), {"weeks": 1})
    assert "Snoozed" in seen.get(patient.get_absolute_url()).content.decode()


def test_a_sent_reminder_shows_as_emailed_at_once(seen, patient):
    reminder = Reminder.objects.open().get(patient=patient)
    assert "Emailed" not in seen.get(patient.get_absolute_url()).content.decode()
    outcome = send_due(now=send_time(reminder.remind_on))
    assert outcome.sent == 1
    assert "Emailed" in seen.get(patient.get_absolute_url()).content.decode()


def test_a_person_moved_to_another_account_leaves_the_previous_owners_pages(
    seen, patient, owner, outsider
):
    services.save_person(Patient(owner=owner, name="Stays"))  # so the worklist still lists someone
    worklist = seen.get(reverse("worklist")).content.decode()
    assert patient.name in worklist and "Stays" in worklist
    for url in pages(patient):  # cached again under the version "Stays" moved on to
        assert seen.get(url).status_code == 200
    moved = Patient.objects.get(pk=patient.pk)
    moved.owner = outsider
    services.save_person(moved)
    assert seen.get(patient.get_absolute_url()).status_code == 404
    assert seen.get(reverse("patient_chart_data", args=[patient.pk])).status_code == 404
    worklist = seen.get(reverse("worklist")).content.decode()
    assert "Stays" in worklist and patient.name not in worklist


def test_the_cached_patient_page_holds_no_csrf_token_and_its_buttons_use_the_pages_form(
    seen, patient, owner
):
    owner.refresh_from_db()
    patient = Patient.objects.with_role(owner).get(pk=patient.pk)
    cached = cache.get(person_key("patient-page", patient, owner))
    assert "csrfmiddlewaretoken" not in cached["body"]
    assert 'form="recheck-action"' in cached["body"]
    page = seen.get(patient.get_absolute_url()).content.decode()
    form = re.search(r'<form id="recheck-action"[^>]*>(.*?)</form>', page, re.S)
    assert form and "csrfmiddlewaretoken" in form.group(1)


def test_a_change_by_another_member_shows_on_this_members_cached_pages_at_once(
    seen, patient, outsider, outsider_client, today
):
    from rlsapp.tracking.memberships import EDITOR, Membership

    Membership.objects.create(person=patient, account=outsider, role=EDITOR)
    outsider_client.post(reverse("draw_create", args=[patient.pk]), draw_post(today, ferritin="57"))
    assert everywhere(seen, patient, "57")


def test_a_removed_member_gets_a_404_not_the_cached_page(seen, patient, outsider, outsider_client):
    from rlsapp.tracking.memberships import VIEWER, Membership

    membership = Membership.objects.create(person=patient, account=outsider, role=VIEWER)
    for url in pages(patient)[1:]:
        assert outsider_client.get(url).status_code == 200  # cached for the viewer now
    membership.delete()
    for url in pages(patient)[1:]:
        assert outsider_client.get(url).status_code == 404
