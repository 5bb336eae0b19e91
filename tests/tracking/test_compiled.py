"""Queries compiled once and run with each request's ids give what the ORM gives."""

import datetime

import pytest
from django.db.models import Exists, OuterRef, Value

from rlsapp.tracking import compiled
from rlsapp.tracking.access import get_patient_for_user
from rlsapp.tracking.memberships import Membership
from rlsapp.tracking.models import LabResult, Patient

from ..charts.helpers import DAY0, add_draw


def _results(person):
    return (
        LabResult.objects.filter(draw__patient_id=person)
        .select_related("draw")
        .order_by("draw__drawn_on", "pk")
    )


def test_each_person_gets_their_own_rows_with_related_objects(owner):
    alex = Patient.objects.create(owner=owner, name="Alex")
    sam = Patient.objects.create(owner=owner, name="Sam")
    add_draw(alex, DAY0, ferritin=40, hemoglobin=12.9)
    add_draw(sam, DAY0 + datetime.timedelta(days=9), ferritin=300)

    for person in (alex, sam, alex):  # the second alex runs the kept text again
        got = compiled.instances("test-results", _results, person=person.pk)
        expected = list(_results(person.pk))
        assert [r.pk for r in got] == [r.pk for r in expected]
        assert [(r.value, r.draw.drawn_on, r.draw.patient_id) for r in got] == [
            (r.value, r.draw.drawn_on, r.draw.patient_id) for r in expected
        ]
        assert all(isinstance(r.draw.drawn_on, datetime.date) for r in got)


def test_annotations_and_two_ids(owner):
    alex = Patient.objects.create(owner=owner, name="Alex")

    def people(person, account):
        return Patient.objects.for_account(account).filter(pk=person).with_role(owner)

    # with_role(owner) puts the owner's id in the text: it is not one of the ids given.
    [found] = compiled.instances("test-people", people, person=alex.pk, account=owner.pk)
    assert found.name == "Alex" and found.role == "owner"
    assert compiled.instances("test-people", people, person=alex.pk + 1, account=owner.pk) == []


def test_a_query_that_holds_a_date_or_ignores_an_id_is_refused(owner):
    with pytest.raises(ValueError, match="holds a date"):
        compiled.instances(
            "test-dated",
            lambda person: _results(person).filter(draw__drawn_on__gte=DAY0),
            person=1,
        )
    with pytest.raises(ValueError, match="does not use every id"):
        compiled.instances("test-unused", lambda person: LabResult.objects.all(), person=1)


def _mine(account):
    # A module-level function of the account's id: what get_patient_for_user's `also` is.
    return {"mine": Exists(Membership.objects.filter(person=OuterRef("pk"), account=account))}


def test_the_access_checks_annotations_cannot_hold_a_request_value(rf, owner, make_user):
    # get_patient_for_user keeps the access query per thread under the annotation
    # function's name: a function closing over a value of the request (here the account)
    # would keep the first request's value for every later account, and two lambdas share
    # one name. Only a module-level function is taken; the account's id is its argument.
    alex = Patient.objects.create(owner=owner, name="Alex")
    bob = make_user("bob@example.com")
    Membership.objects.create(person=alex, account=bob, role="viewer")

    def get(user, also):
        request = rf.get("/")
        request.user = user
        return get_patient_for_user(request, alex.pk, also=also)

    for user in (owner, bob):
        # A natural mistake: the request's account read from the enclosing view.
        with pytest.raises(ValueError, match="module-level function"):
            get(user, lambda account, user=user: {"asked_by": Value(user.pk)})

    assert (get(bob, _mine).role, get(bob, _mine).mine) == ("viewer", True)
    assert (get(owner, _mine).role, get(owner, _mine).mine) == ("owner", True)


def test_recent_and_latest_refuses_a_filter_it_would_not_keep(owner):
    alex = Patient.objects.create(owner=owner, name="Alex")
    with pytest.raises(ValueError, match="LabResult.objects only"):
        LabResult.objects.filter(analyte="ferritin").recent_and_latest(alex, 10)
    assert LabResult.objects.recent_and_latest(alex, 10) == ([], False, {})
