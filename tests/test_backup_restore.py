"""The backup README describes restores: a dump of the database (manage.py dumpdata, as in
the README) loaded into a fresh database holds every record the original held."""

import json
import re

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from rlsapp.reminders import feeds
from rlsapp.tracking.models import Patient
from tests.interop.records import fill
from tests.processes import production_env, run

# The README's command: everything but what `migrate` makes itself in a fresh database
# (content types, permissions) and what is not worth restoring (sessions).
EXCLUDE = ["contenttypes", "auth.permission", "sessions"]


def dump(path, **options):
    call_command(
        "dumpdata",
        natural_foreign=True,
        natural_primary=True,
        exclude=EXCLUDE,
        indent=1,
        output=str(path),
        **options,
    )


# dumpdata writes a time to the millisecond and leaves the fraction out when it is zero, so
# a time saved at 12:00:54.000312 is dumped as "12:00:54.000Z", loaded as 12:00:54 and dumped
# again as "12:00:54Z": the same instant in two spellings.
ZERO_MILLISECONDS = re.compile(r"(T\d\d:\d\d:\d\d)\.000(?=Z|[+-]\d)")


def records(path):
    """Every record of a dump, as (model, primary key, fields), in a comparable form."""
    return sorted(
        ZERO_MILLISECONDS.sub(
            r"\1", json.dumps([row["model"], row.get("pk"), row["fields"]], sort_keys=True)
        )
        for row in json.loads(path.read_text())
    )


@pytest.mark.django_db(transaction=True)
def test_a_dump_restored_into_a_fresh_database_holds_every_record(tmp_path, make_user):
    owner = make_user("alice@example.com")
    clinician = make_user("dr@example.com")
    for person in (
        Patient.objects.create(owner=owner, name="Alice", sex="F"),
        Patient.objects.create(owner=clinician, name="Bea", sex="F"),
        Patient.objects.create(owner=clinician, name="Carl", sex="M"),
    ):
        fill(person)
    TOTPDevice.objects.create(user=clinician, name="Authenticator app", confirmed=True)
    feeds.new_calendar_address(owner)
    backup = tmp_path / "backup.json"
    dump(backup)
    kinds = {row["model"] for row in json.loads(backup.read_text())}
    assert {
        "accounts.user",
        "tracking.patient",
        "tracking.labresult",
        "tracking.historicallabresult",
        "tracking.infusion",
        "tracking.symptomscore",
        "otp_totp.totpdevice",
        "reminders.calendarfeed",
    } <= kinds

    fresh = production_env(tmp_path / "fresh", DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}")
    (tmp_path / "fresh").mkdir()
    restored = tmp_path / "restored.json"
    for args in (
        ["migrate", "--noinput"],
        ["loaddata", str(backup)],
        ["dumpdata", "--natural-foreign", "--natural-primary"]
        + [f"--exclude={app}" for app in EXCLUDE]
        + ["--indent=1", f"--output={restored}"],
    ):
        step = run(["manage.py", *args], fresh, timeout=300)
        assert step.returncode == 0, step.stderr

    assert records(restored) == records(backup)
