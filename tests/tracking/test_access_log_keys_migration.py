"""tracking 0010 makes the access log's keys (person, account) plain columns, not database
constraints, and keeps every row; deleting still cascades to the rows or empties their
account, as Django's delete does it."""

import datetime

import pytest
from django.db import connection

from tests.migrating import Upgrade

BEFORE = ("tracking", "0009_access_log_person_index")
AFTER = ("tracking", "0010_access_log_keys_not_constraints")
AT = datetime.datetime(2026, 3, 3, 9, 30, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db(transaction=True)


def foreign_keys():
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "tracking_accesslogentry")
    return sorted(c["columns"][0] for c in found.values() if c["foreign_key"])


def test_the_keys_stop_being_constraints_and_the_rows_stay():
    with Upgrade() as upgrade:
        apps = upgrade.to(BEFORE)
        User = apps.get_model("accounts", "User")
        owner = User.objects.create(email="o@example.com", password="x")
        member = User.objects.create(email="m@example.com", password="x")
        Patient = apps.get_model("tracking", "Patient")
        sam, kim = (Patient.objects.create(owner=owner, name=name) for name in ("Sam", "Kim"))
        Entry = apps.get_model("tracking", "AccessLogEntry")
        for person, account in ((sam, owner), (kim, member)):
            Entry.objects.create(
                person=person, account=account, action="viewed", page="p", at=AT, address="10.0.0.1"
            )
        assert foreign_keys() == ["account_id", "person_id"]

        apps = upgrade.to(AFTER)
        assert foreign_keys() == []
        Entry = apps.get_model("tracking", "AccessLogEntry")
        rows = sorted(Entry.objects.values_list("person_id", "account_id", "action", "at"))
        assert rows == sorted([(sam.pk, owner.pk, "viewed", AT), (kim.pk, member.pk, "viewed", AT)])
        apps.get_model("tracking", "Patient").objects.filter(pk=sam.pk).delete()
        apps.get_model("accounts", "User").objects.filter(pk=member.pk).delete()
        assert list(Entry.objects.values_list("person_id", "account_id")) == [(kim.pk, None)]
