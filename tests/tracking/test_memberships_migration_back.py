"""Going back past the sharing migration (tracking 0007) is documented as lossy for
memberships, and refused while a deleted person waits to be erased: the old schema has no
deleted_at, so they would come back to life."""

import pytest
from django.utils import timezone

from rlsapp.tracking.models import Patient
from tests.migrating import leaf_nodes, migrate

BEFORE_SHARING = [("tracking", "0006_historicalpatient_skip_weekends_and_more")]

pytestmark = pytest.mark.django_db(transaction=True)


def test_going_back_refuses_while_a_deleted_person_waits_and_keeps_the_rest(owner):
    latest = leaf_nodes()
    kept = Patient.objects.create(owner=owner, name="Kept")
    deleted = Patient.objects.create(owner=owner, name="Deleted")
    Patient.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    try:
        with pytest.raises(RuntimeError, match="1 deleted people are waiting to be erased"):
            migrate(BEFORE_SHARING)
        migrate(latest)
        Patient.objects.filter(pk=deleted.pk).delete()  # as erase_deleted_people would
        apps = migrate(BEFORE_SHARING)
        old = apps.get_model("tracking", "Patient").objects
        assert list(old.values_list("pk", "name", "owner_id")) == [(kept.pk, "Kept", owner.pk)]
    finally:
        migrate(latest)
