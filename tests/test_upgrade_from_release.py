"""An existing install upgrades without losing anything.

Starts from the schema of the last release (the migrations it shipped), writes a record
of every kind through that schema's own models, migrates to today's schema and checks
each record, its change history and what the upgrade fills in for old data.
"""

import datetime
import hashlib

import pytest

from tests.migrating import leaf_nodes, migrate

# The migrations the last release shipped (its leaf node per app).
RELEASE = [
    ("accounts", "0002_user_data_version"),
    ("tracking", "0003_latest_and_ferritin_indexes"),
    ("reminders", "0001_initial"),
    ("interop", "0001_initial"),
]
DAY = datetime.date(2025, 3, 3)

pytestmark = pytest.mark.django_db(transaction=True)


def write_release_data(apps):
    User = apps.get_model("accounts", "User")
    Patient = apps.get_model("tracking", "Patient")
    LabDraw = apps.get_model("tracking", "LabDraw")
    LabResult = apps.get_model("tracking", "LabResult")
    Infusion = apps.get_model("tracking", "Infusion")
    SymptomScore = apps.get_model("tracking", "SymptomScore")
    Reminder = apps.get_model("reminders", "Reminder")
    CalendarFeed = apps.get_model("reminders", "CalendarFeed")
    HistoricalLabDraw = apps.get_model("tracking", "HistoricalLabDraw")

    user = User.objects.create(email="old@example.com", password="md5$x$y", first_name="Olga")
    person = Patient.objects.create(
        owner=user, name="Alex", sex="F", birth_date=datetime.date(1980, 5, 17)
    )
    infusion = Infusion.objects.create(
        patient=person, given_on=DAY - datetime.timedelta(days=60), product="fcm", dose_mg=1000
    )
    draw = LabDraw.objects.create(patient=person, drawn_on=DAY, lab_name="City Lab")
    for analyte, value, text, unit in [
        ("ferritin", 40.0, "40", "µg/L"),
        ("hemoglobin", 13.1, "131", "g/L"),
    ]:
        LabResult.objects.create(
            draw=draw, analyte=analyte, value=value, entered_value=text, entered_unit=unit
        )
    SymptomScore.objects.create(patient=person, recorded_on=DAY, severity=6)
    HistoricalLabDraw.objects.create(
        id=draw.pk,
        patient_id=person.pk,
        drawn_on=DAY,
        lab_name="City Lab",
        note="",
        created=draw.created,
        version=1,
        history_date=draw.created,
        history_type="+",
    )
    Reminder.objects.create(
        patient=person,
        kind="first",
        due_on=DAY + datetime.timedelta(weeks=4),
        reason="8 weeks after the infusion on 2 January",
        remind_on=DAY + datetime.timedelta(weeks=4),
        soon_from=DAY + datetime.timedelta(weeks=2),
    )
    CalendarFeed.objects.create(user=user, token="old-token-" + "x" * 30)
    return user, person, infusion, draw


def test_an_install_of_the_last_release_upgrades_with_every_record_kept():
    latest = leaf_nodes()
    try:
        user, person, infusion, draw = write_release_data(migrate(RELEASE))
        apps = migrate(latest)

        User = apps.get_model("accounts", "User")
        upgraded = User.objects.get(pk=user.pk)
        assert (upgraded.email, upgraded.password, upgraded.first_name) == (
            "old@example.com",
            "md5$x$y",
            "Olga",
        )
        assert upgraded.email_confirmed  # accounts made before confirmation existed
        Patient = apps.get_model("tracking", "Patient")
        alex = Patient.objects.get(pk=person.pk)
        assert (alex.name, alex.sex, alex.birth_date) == ("Alex", "F", datetime.date(1980, 5, 17))
        assert alex.owner_id == user.pk
        # The one account a person had becomes its owner membership (sharing, issue 15).
        memberships = apps.get_model("tracking", "Membership").objects
        assert list(memberships.values_list("person_id", "account_id", "role")) == [
            (person.pk, user.pk, "owner")
        ]
        assert alex.deleted_at is None
        LabResult = apps.get_model("tracking", "LabResult")
        assert sorted(
            LabResult.objects.filter(draw_id=draw.pk).values_list(
                "analyte", "value", "entered_value", "entered_unit"
            )
        ) == [("ferritin", 40.0, "40", "µg/L"), ("hemoglobin", 13.1, "131", "g/L")]
        assert apps.get_model("tracking", "Infusion").objects.get(pk=infusion.pk).dose_mg == 1000
        assert apps.get_model("tracking", "SymptomScore").objects.get().severity == 6
        assert apps.get_model("tracking", "HistoricalLabDraw").objects.filter(id=draw.pk).exists()
        reminder = apps.get_model("reminders", "Reminder").objects.get()
        assert (reminder.patient_id, reminder.kind) == (person.pk, "first")
        feed = apps.get_model("reminders", "CalendarFeed").objects.get()
        assert feed.user_id == user.pk
        # Kept as its hash: the address made before the upgrade opens the same feed.
        assert feed.token_hash == hashlib.sha256(b"old-token-" + b"x" * 30).hexdigest()
        # The worklist's row is filled for people who existed before it.
        status = apps.get_model("reminders", "PersonStatus").objects.get(patient_id=person.pk)
        assert (status.latest_ferritin, status.latest_ferritin_on) == (40.0, DAY)
        assert status.last_infusion_on == infusion.given_on
        assert status.untreated_ratio == pytest.approx(0.4)  # 40 of 100, untreated since
        # ...with the open re-check the worklist reads from it (reminders 0008).
        assert (
            status.recheck_remind_on,
            status.recheck_soon_from,
            status.recheck_reason,
        ) == (reminder.remind_on, reminder.soon_from, reminder.reason)
        assert status.recheck_remind_on == DAY + datetime.timedelta(weeks=4)
        # The owner gets the person's reminders as before; nothing is noted as emailed.
        assert memberships.get().gets_reminders
        assert not apps.get_model("reminders", "ReminderEmail").objects.exists()
        # Nobody has viewed anything yet, and no account has marked "This is me".
        assert not apps.get_model("tracking", "AccessLogEntry").objects.exists()
        assert upgraded.me_id is None
        # The address subscribed before the upgrade opens the same feed through the app's
        # own lookup (rlsapp/tokens.py), not only a hash computed here.
        from rlsapp.reminders.feeds import find_calendar_feed

        found = find_calendar_feed("old-token-" + "x" * 30)
        assert found is not None and (found.pk, found.user_id) == (feed.pk, user.pk)
        assert find_calendar_feed("old-token-" + "y" * 30) is None
    finally:
        migrate(latest)
