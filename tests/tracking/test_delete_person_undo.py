"""Deleting a whole person offers Undo (issue 16 item 7): hidden at once from every account
and every path, brought back exactly within PERSON_UNDO_MINUTES, erased for good after."""

import datetime
import io
import re
import zipfile

import icalendar
import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rlsapp.reminders import sending
from rlsapp.reminders import services as reminders
from rlsapp.reminders.account_settings import set_calendar_names
from rlsapp.reminders.models import PersonStatus, Reminder
from rlsapp.tracking import services
from rlsapp.tracking.demo import WITH_TREATMENTS, create_demo_history
from rlsapp.tracking.memberships import Membership
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient, SymptomScore
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse
from tests.conftest import PASSWORD, force_login_with_two_factor

NAME = WITH_TREATMENTS  # "Alex (demo)": draws, infusions, scores, oral iron, medicines
RECORDS = (LabDraw, Infusion, SymptomScore, OralIronCourse, Medication, MedicationEvent)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def alex(owner, today):
    return create_demo_history(owner, today, name=NAME)


@pytest.fixture
def sam(owner, today):
    """A second person, so the owner's worklist and feed still have someone."""
    return create_demo_history(owner, today, name="Sam (demo)", sex="M", seed=7)


@pytest.fixture
def viewer(make_user, alex):
    bob = make_user("bob@example.com")
    Membership.objects.create(person=alex, account=bob, role="viewer")
    return bob


def signed_in(user):
    client = Client()  # not the `client` fixture: owner_client is that one
    client.force_login(user)
    return client


@pytest.fixture
def viewer_client(viewer):
    return signed_in(viewer)


def dump(pk):
    """Every row of the person and of their records, change history included; what the
    scheduler stores is compared without its render time."""
    rows = {"person": list(Patient.objects.filter(pk=pk).values())}
    for row in rows["person"]:
        row.pop("deleted_at")
        row.pop("data_version")  # moved on by the delete and the undo, for the page cache
    rows["person history"] = list(Patient.history.filter(id=pk).order_by("pk").values())
    for model in RECORDS:
        rows[model.__name__] = list(model.objects.filter(patient_id=pk).order_by("pk").values())
        rows[f"{model.__name__} history"] = list(
            model.history.filter(patient_id=pk).order_by("pk").values()
        )
    draws = LabDraw.history.filter(patient_id=pk).values("id")
    rows["results"] = list(LabResult.objects.filter(draw_id__in=draws).order_by("pk").values())
    rows["results history"] = list(
        LabResult.history.filter(draw_id__in=draws).order_by("pk").values()
    )
    rows["memberships"] = list(Membership.objects.filter(person_id=pk).order_by("pk").values())
    rows["status"] = list(PersonStatus.objects.filter(patient_id=pk).values())
    rows["reminders"] = [
        {k: v for k, v in model_to_dict(r).items() if k not in ("updated", "calendar_event")}
        for r in Reminder.objects.filter(patient_id=pk).order_by("pk")
    ]
    return rows


def undo_form(html):
    """The Undo form in the message shown after the delete: (action, posted fields)."""
    start = html.index(f"{NAME} deleted.")
    form = html[start : html.index("</form>", start)]
    assert ">Undo</button>" in form
    action = re.search(r'action="([^"]+)"', form)[1]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]+)"', form))
    return action, fields


def delete(client, person):
    page = client.post(reverse("patient_delete", args=[person.pk]), follow=True)
    assert page.status_code == 200
    return undo_form(page.content.decode())


def test_the_message_after_the_delete_offers_undo(owner_client, alex, settings):
    settings.PERSON_UNDO_MINUTES = 30
    confirm = owner_client.get(reverse("patient_delete", args=[alex.pk])).content.decode()
    assert "you can undo it for 30 minutes; then it is erased for good" in confirm
    page = owner_client.post(reverse("patient_delete", args=[alex.pk]), follow=True)
    html = page.content.decode()
    assert f"{NAME} deleted." in html and "(for 30 minutes)" in html
    action, fields = undo_form(html)
    assert action == reverse("patient_undelete", args=[alex.pk])
    assert set(fields) == {"csrfmiddlewaretoken", "offered"}
    assert Patient.objects.get(pk=alex.pk).deleted_at is not None


def test_only_the_owner_may_delete(viewer_client, alex):
    assert viewer_client.post(reverse("patient_delete", args=[alex.pk])).status_code == 403
    assert Patient.objects.get(pk=alex.pk).deleted_at is None


def test_a_deleted_person_is_gone_from_every_page_and_path(
    owner_client, viewer_client, alex, sam, viewer
):
    draw = LabDraw.objects.filter(patient=alex).first()
    infusion = Infusion.objects.filter(patient=alex).first()
    reminder = Reminder.objects.open().get(patient=alex)
    for client in (owner_client, viewer_client):  # cached pages, warmed before the delete
        assert NAME in client.get(reverse("worklist")).content.decode()
        assert client.get(reverse("patient_detail", args=[alex.pk])).status_code == 200
        assert client.get(reverse("patient_chart_data", args=[alex.pk])).status_code == 200

    delete(owner_client, alex)

    for client in (owner_client, viewer_client):
        assert NAME not in client.get(reverse("worklist")).content.decode()
        for name, pk in [
            ("patient_detail", alex.pk),
            ("patient_chart_data", alex.pk),
            ("patient_report", alex.pk),
            ("patient_history", alex.pk),
            ("draw_list", alex.pk),
            ("patient_export_csv", alex.pk),
            ("patient_export_fhir", alex.pk),
            ("patient_export_spreadsheet", alex.pk),
            ("patient_chart_table", alex.pk),
            ("course_list", alex.pk),
            ("medicine_list", alex.pk),
            ("patient_import", alex.pk),
            ("patient_edit", alex.pk),
            ("draw_edit", draw.pk),
            ("infusion_edit", infusion.pk),
            ("reminder_ics", reminder.pk),
            ("reminder_snooze", reminder.pk),
        ]:
            assert client.get(reverse(name, args=[pk])).status_code == 404, name
        assert NAME not in client.get(reverse("reminders")).content.decode()
    # The viewer, whose only person Alex was, lands on adding someone.
    assert viewer_client.get(reverse("home")).url == reverse("patient_create")
    archive = zipfile.ZipFile(io.BytesIO(owner_client.get(reverse("account_export")).content))
    folders = {name.split("/")[0] for name in archive.namelist() if "/" in name}
    assert folders == {f"sam-demo-{sam.pk}"}


def feed_names(client, feed_path):
    found = icalendar.Calendar.from_ical(client.get(feed_path).content).walk("VEVENT")
    return {str(event["summary"]) for event in found}


def test_the_calendar_feed_and_the_sender_leave_a_deleted_person_out(
    owner, owner_client, alex, sam, settings
):
    settings.MAIL_CONFIGURED = True
    set_calendar_names(owner, True)
    page = owner_client.post(reverse("calendar_regenerate")).content.decode()
    site = re.escape(settings.SITE_URL)
    feed = re.search(rf'id="feed-address"[^>]*>{site}([^<]+)</textarea>', page)[1]
    calendar_app = Client()
    assert feed_names(calendar_app, feed) == {
        f"Ferritin re-check: {n}" for n in (NAME, "Sam (demo)")
    }

    delete(owner_client, alex)
    assert feed_names(calendar_app, feed) == {"Ferritin re-check: Sam (demo)"}
    later = max(r.send_after for r in Reminder.objects.open()) + datetime.timedelta(days=1)
    outcome = sending.send_due(later)
    assert outcome.sent == 1 and len(mail.outbox) == 1
    assert NAME not in mail.outbox[0].body
    assert Reminder.objects.open().get(patient=alex).sent_at is None


def test_the_admin_lists_neither_the_deleted_person_nor_their_records(owner_client, alex, sam):
    user = get_user_model().objects.create_superuser("admin@example.com", PASSWORD)
    admin = force_login_with_two_factor(Client(), user)
    delete(owner_client, alex)
    sams = {
        "patient": 1,
        "labdraw": LabDraw.objects.filter(patient=sam).count(),
        "labresult": LabResult.objects.filter(draw__patient=sam).count(),
        "infusion": Infusion.objects.filter(patient=sam).count(),
        "symptomscore": SymptomScore.objects.filter(patient=sam).count(),
    }
    for model, count in sams.items():
        page = admin.get(reverse(f"admin:tracking_{model}_changelist"))
        assert page.context["cl"].result_count == count, model
        assert NAME not in page.content.decode(), model
    assert admin.get(reverse("admin:tracking_patient_change", args=[alex.pk])).status_code == 302
    page = admin.get(reverse("admin:reminders_reminder_changelist")).content.decode()
    assert NAME not in page


def test_undo_within_the_window_brings_back_exactly_what_was_there(
    owner, owner_client, viewer_client, alex, today
):
    reminder = Reminder.objects.open().get(patient=alex)
    reminders.snooze(reminder, today + datetime.timedelta(days=40))
    before = dump(alex.pk)
    assert before["results"] and before["OralIronCourse"] and before["MedicationEvent history"]

    action, fields = delete(owner_client, alex)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=29)):
        page = owner_client.post(action, fields, follow=True)
    assert page.redirect_chain[-1][0] == reverse("patient_detail", args=[alex.pk])
    assert f"{NAME} is back, with every record." in page.content.decode()

    assert dump(alex.pk) == before  # the snoozed re-check too, not a fresh one
    assert Reminder.objects.open().get(patient=alex).status == Reminder.SNOOZED
    assert NAME in viewer_client.get(reverse("worklist")).content.decode()
    assert viewer_client.get(reverse("patient_detail", args=[alex.pk])).status_code == 200


def test_undo_then_sends_the_reminder_held_back_meanwhile(owner_client, alex, settings):
    settings.MAIL_CONFIGURED = True
    reminder = Reminder.objects.open().get(patient=alex)
    action, fields = delete(owner_client, alex)
    assert sending.send_due(reminder.send_after).sent == 0
    owner_client.post(action, fields)
    assert sending.send_due(reminder.send_after).sent == 1
    assert Reminder.objects.get(pk=reminder.pk).status == Reminder.SENT


def test_a_second_undo_says_the_person_is_back_already(owner_client, alex):
    action, fields = delete(owner_client, alex)
    owner_client.post(action, fields)
    page = owner_client.post(action, fields, follow=True)
    assert page.status_code == 200
    assert f"{NAME} is back already, with every record." in page.content.decode()
    assert Patient.objects.get(pk=alex.pk).deleted_at is None


def test_undo_by_another_account_is_a_404(owner_client, viewer_client, alex, outsider):
    action, fields = delete(owner_client, alex)
    client = signed_in(outsider)
    assert client.post(action, fields).status_code == 404
    assert viewer_client.post(action, fields).status_code == 404  # a member, not the owner
    assert Patient.objects.get(pk=alex.pk).deleted_at is not None
    # Once erased, the owner is told it is too late; anyone else still gets the 404.
    services.erase_deleted_people(timezone.now() + services.undo_window())
    assert client.post(action, fields).status_code == 404
    assert owner_client.post(action, fields).status_code == 302


def erased_completely(pk, draw_ids):
    assert not Patient.objects.filter(pk=pk).exists()
    assert not Patient.history.filter(id=pk).exists()
    for model in RECORDS:
        assert not model.objects.filter(patient_id=pk).exists(), model
        assert not model.history.filter(patient_id=pk).exists(), model
    assert not LabResult.history.filter(draw_id__in=draw_ids).exists()
    assert not Reminder.objects.filter(patient_id=pk).exists()
    assert not PersonStatus.objects.filter(patient_id=pk).exists()
    assert not Membership.objects.filter(person_id=pk).exists()


def erase_by_command(owner, now):
    call_command("erase_deleted_people", stdout=io.StringIO())


def erase_by_sender(owner, now):
    call_command("send_reminders", stdout=io.StringIO())


def erase_by_next_delete(owner, now):
    services.delete_person(Patient.objects.create(owner=owner, name="Other"))


@pytest.mark.parametrize("erase", [erase_by_command, erase_by_sender, erase_by_next_delete])
def test_after_the_window_the_person_is_erased_with_their_history(
    owner, owner_client, alex, erase, settings
):
    settings.PERSON_UNDO_MINUTES = 10
    draw_ids = list(LabDraw.objects.filter(patient=alex).values_list("pk", flat=True))
    delete(owner_client, alex)
    erase(owner, timezone.now())  # within the window: kept
    assert Patient.objects.filter(pk=alex.pk).exists()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10, seconds=1)):
        erase(owner, timezone.now())
    erased_completely(alex.pk, draw_ids)


def test_undo_after_the_window_says_it_is_too_late(owner_client, alex, settings):
    settings.PERSON_UNDO_MINUTES = 1
    action, fields = delete(owner_client, alex)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        page = owner_client.post(action, fields, follow=True)  # not erased yet: erased now
        assert page.status_code == 200
        assert "Too late to undo" in page.content.decode()
        assert "1 minute after the delete" in page.content.decode()
        assert not Patient.objects.filter(pk=alex.pk).exists()
        again = owner_client.post(action, fields, follow=True)  # erased: the same words
        assert again.status_code == 200 and "Too late to undo" in again.content.decode()


def test_an_undo_without_the_offered_form_is_a_404_once_erased(owner_client, alex):
    action, _fields = delete(owner_client, alex)
    services.erase_deleted_people(timezone.now() + services.undo_window())
    assert owner_client.post(action, {"offered": "forged"}).status_code == 404
    assert owner_client.get(action).status_code == 405


def test_deleting_the_account_erases_a_deleted_person_at_once(owner, owner_client, alex):
    draw_ids = list(LabDraw.objects.filter(patient=alex).values_list("pk", flat=True))
    delete(owner_client, alex)
    owner_client.post(reverse("account_delete"), {"password": PASSWORD, "confirm": "on"})
    erased_completely(alex.pk, draw_ids)


def test_the_account_page_no_longer_names_a_deleted_person_marked_as_me(owner, owner_client, alex):
    owner.me = alex
    owner.save(update_fields=["me"])
    settings_page = reverse("account_settings")
    assert f"{NAME} is marked as you" in owner_client.get(settings_page).content.decode()
    action, fields = delete(owner_client, alex)
    assert NAME not in owner_client.get(settings_page).content.decode()
    owner_client.post(action, fields)
    assert f"{NAME} is marked as you" in owner_client.get(settings_page).content.decode()
