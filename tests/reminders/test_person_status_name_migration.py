"""reminders 0012 puts each person's name on their stored worklist row and removes the row
of a deleted person (the worklist reads neither from the person any more)."""

import datetime

import pytest

from tests.migrating import Upgrade

BEFORE = ("reminders", "0011_estimate_basis_blends")
AFTER = ("reminders", "0012_personstatus_name")
DAY = datetime.date(2026, 3, 3)

pytestmark = pytest.mark.django_db(transaction=True)


def test_rows_get_their_persons_name_and_a_deleted_persons_row_goes():
    with Upgrade() as upgrade:
        apps = upgrade.to(BEFORE)
        User = apps.get_model("accounts", "User")
        Patient = apps.get_model("tracking", "Patient")
        PersonStatus = apps.get_model("reminders", "PersonStatus")
        user = User.objects.create(email="old@example.com", password="x")
        sam, cleo, gone, bare = (
            Patient.objects.create(owner=user, name=name)
            for name in ("Sam", "Cléo", "Gone", "Bare")
        )
        Patient.objects.filter(pk=gone.pk).update(
            deleted_at=datetime.datetime(2026, 3, 3, tzinfo=datetime.UTC)
        )
        for person in (sam, cleo, gone):
            PersonStatus.objects.create(
                patient=person, latest_ferritin=80.0, recheck_remind_on=DAY, recheck_reason="r"
            )

        apps = upgrade.to(AFTER)
        rows = {s.patient_id: s for s in apps.get_model("reminders", "PersonStatus").objects.all()}
        assert {pk: row.name for pk, row in rows.items()} == {sam.pk: "Sam", cleo.pk: "Cléo"}
        # The rest of each row is kept; a person without one still has none.
        assert [
            (r.latest_ferritin, r.recheck_remind_on, r.recheck_reason) for r in rows.values()
        ] == [(80.0, DAY, "r")] * 2
        # Going back keeps the rows (without the names).
        apps = upgrade.to(BEFORE)
        assert apps.get_model("reminders", "PersonStatus").objects.count() == 2
