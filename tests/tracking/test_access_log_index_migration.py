"""tracking 0009 drops the access log's index on the person alone (access_log_person_at,
person first, serves the same lookups) and keeps every row."""

import datetime

import pytest
from django.db import connection

from tests.migrating import Upgrade

BEFORE = ("tracking", "0008_access_log")
AFTER = ("tracking", "0009_access_log_person_index")
AT = datetime.datetime(2026, 3, 3, 9, 30, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db(transaction=True)


def indexes_on(columns):
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "tracking_accesslogentry")
    return sorted(
        name
        for name, c in found.items()
        if c["index"] and not c["primary_key"] and c["columns"] == columns
    )


def test_the_person_only_index_goes_and_the_rows_stay():
    with Upgrade() as upgrade:
        apps = upgrade.to(BEFORE)
        user = apps.get_model("accounts", "User").objects.create(
            email="o@example.com", password="x"
        )
        person = apps.get_model("tracking", "Patient").objects.create(owner=user, name="Sam")
        Entry = apps.get_model("tracking", "AccessLogEntry")
        Entry.objects.create(
            person=person, account=user, action="viewed", page="patient", at=AT, address="10.0.0.1"
        )
        assert len(indexes_on(["person_id"])) == 1

        apps = upgrade.to(AFTER)
        assert indexes_on(["person_id"]) == []
        assert indexes_on(["person_id", "at"]) == ["access_log_person_at"]
        rows = list(
            apps.get_model("tracking", "AccessLogEntry").objects.values_list(
                "person_id", "account_id", "action", "page", "at", "address"
            )
        )
        assert rows == [(person.pk, user.pk, "viewed", "patient", AT, "10.0.0.1")]
        # The person is still a foreign key: deleting them deletes their rows.
        apps.get_model("tracking", "Patient").objects.filter(pk=person.pk).delete()
        assert not apps.get_model("tracking", "AccessLogEntry").objects.exists()
