"""reminders 0008 copies each person's open re-check onto their stored worklist row."""

import datetime

import pytest

from tests.migrating import leaf_nodes, migrate, with_app_at

BEFORE = ("reminders", "0007_reminder_email")
AFTER = ("reminders", "0008_personstatus_recheck")
DAY = datetime.date(2026, 3, 3)

pytestmark = pytest.mark.django_db(transaction=True)


def test_existing_people_get_their_open_recheck_and_no_other():
    latest = leaf_nodes()
    try:
        apps = migrate(with_app_at(BEFORE, latest))
        User = apps.get_model("accounts", "User")
        Patient = apps.get_model("tracking", "Patient")
        Reminder = apps.get_model("reminders", "Reminder")
        PersonStatus = apps.get_model("reminders", "PersonStatus")
        user = User.objects.create(email="old@example.com", password="x")
        snoozed, closed_only, without = (
            Patient.objects.create(owner=user, name=name) for name in ("Sam", "Cleo", "Nat")
        )
        for person in (snoozed, closed_only, without):
            PersonStatus.objects.create(patient=person, latest_ferritin=80.0)

        def reminder(person, status, due_on, **more):
            return Reminder.objects.create(
                patient=person,
                kind="routine",
                due_on=due_on,
                reason=f"routine for {person.name}",
                remind_on=due_on,
                soon_from=due_on - datetime.timedelta(days=14),
                status=status,
                **more,
            )

        # A done one before the open one, for the same person: only the open one is copied.
        reminder(snoozed, "done", DAY - datetime.timedelta(days=90))
        reminder(
            snoozed,
            "snoozed",
            DAY,
            estimate_on=DAY + datetime.timedelta(days=30),
            estimate_from=DAY + datetime.timedelta(days=10),
        )
        reminder(closed_only, "dismissed", DAY)

        apps = migrate(with_app_at(AFTER, latest))
        rows = {s.patient_id: s for s in apps.get_model("reminders", "PersonStatus").objects.all()}
        sam = rows[snoozed.pk]
        assert (sam.recheck_remind_on, sam.recheck_soon_from, sam.recheck_reason) == (
            DAY,
            DAY - datetime.timedelta(days=14),
            "routine for Sam",
        )
        assert (sam.recheck_estimate_on, sam.recheck_estimate_from, sam.recheck_estimate_to) == (
            DAY + datetime.timedelta(days=30),
            DAY + datetime.timedelta(days=10),
            None,
        )
        assert sam.latest_ferritin == 80.0  # the rest of the row is kept
        for pk in (closed_only.pk, without.pk):
            row = rows[pk]
            assert (row.recheck_remind_on, row.recheck_soon_from, row.recheck_reason) == (
                None,
                None,
                "",
            )
    finally:
        migrate(latest)
