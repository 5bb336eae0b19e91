"""Queries compiled once and run with each request's ids give what the ORM gives."""

import datetime

import pytest
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import DenseRank, RowNumber

from rlsapp.tracking import compiled
from rlsapp.tracking.access import get_patient_for_user
from rlsapp.tracking.memberships import Membership
from rlsapp.tracking.models import Infusion, LabResult, Patient
from rlsapp.tracking.treatments import Medication
from tests.reminders.helpers import add_infusion, add_medicine, add_medicine_event

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


def _orm_recent_and_latest(person, draws):
    """recent_and_latest's rows as the ORM wrote them before its SQL was written by hand."""
    by_analyte = {"partition_by": [F("analyte")]}
    newest_first = [F("draw__drawn_on").desc(), F("draw_id").desc()]
    left_out = Case(When(draw__left_out_reason="", then=0), default=1)
    return (
        LabResult.objects.filter(draw__patient_id=person)
        .select_related("draw")
        .annotate(
            analyte_rank=Window(RowNumber(), order_by=newest_first, **by_analyte),
            n=Window(Count("pk"), **by_analyte),
            first=Window(Min("draw__drawn_on"), **by_analyte),
            left_out=Window(Sum(left_out, output_field=IntegerField()), **by_analyte),
            draw_rank=Window(DenseRank(), order_by=newest_first),
        )
        .filter(Q(analyte_rank=1) | Q(draw_rank__lte=draws + 1))
        .order_by("-draw__drawn_on", "-draw_id", "pk")
    )


def _reference_recent_and_latest(person, draws):
    """What recent_and_latest gave when each row was made an instance by the ORM."""
    recent, latest, more = {}, {}, False
    for result in _orm_recent_and_latest(person.pk, draws):
        if result.analyte_rank == 1:
            latest[result.analyte] = result
        if result.draw_rank > draws:
            more = True
        else:
            recent.setdefault(result.draw_id, []).append(result)
    return recent, more, latest


def _result(result):
    draw = result.draw
    return (
        *(result.pk, result.analyte, result.value, result.comparator, result.entered_value),
        *(result.n, result.first, result.left_out, result.analyte_rank, result.draw_rank),
        *(draw.pk, draw.drawn_on, draw.lab_name, draw.left_out_reason),
    )


def test_recent_and_latest_gives_what_the_orm_gives_with_one_draw_per_draw(owner):
    from rlsapp.tracking.services import records

    alex = Patient.objects.create(owner=owner, name="Alex")
    # Hemoglobin only in the oldest draw: its newest result is past the recent draws.
    add_draw(alex, DAY0, ferritin=30, hemoglobin=12.1)
    left_out = add_draw(alex, DAY0 + datetime.timedelta(days=20), ferritin=900, iron=10)
    records.leave_out(left_out, "illness")
    for week in range(1, 5):
        add_draw(alex, DAY0 + datetime.timedelta(weeks=week * 5), ferritin=40 + week, iron=9)

    for draws in (2, 10):
        recent, more, latest = LabResult.objects.recent_and_latest(alex, draws)
        expected_recent, expected_more, expected_latest = _reference_recent_and_latest(alex, draws)
        assert more is expected_more is (draws == 2)
        assert [draw.pk for draw in recent] == list(expected_recent)
        assert [[_result(r) for r in draw.preloaded_results] for draw in recent] == [
            [_result(r) for r in results] for results in expected_recent.values()
        ]
        assert {k: _result(r) for k, r in latest.items()} == {
            k: _result(r) for k, r in expected_latest.items()
        }
        # A draw's results share its one instance, which holds them.
        assert all(r.draw is draw for draw in recent for r in draw.preloaded_results)
    assert latest["hemoglobin"].draw.drawn_on == DAY0
    assert (latest["ferritin"].n, latest["ferritin"].left_out) == (6, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_on_postgresql_a_prepared_query_is_prepared_once_and_gives_the_same_rows(owner):
    alex = Patient.objects.create(owner=owner, name="Alex")
    sam = Patient.objects.create(owner=owner, name="Sam")
    add_draw(alex, DAY0, ferritin=40, hemoglobin=12.9)
    add_draw(sam, DAY0, ferritin=300)

    def prepared_results():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                [f"%{LabResult._meta.db_table}%"],
            )
            return cursor.fetchone()[0]

    before = prepared_results()
    for person in (alex, sam, alex):
        got = compiled.instances("test-prepared", _results, prepared=True, person=person.pk)
        assert [(r.pk, r.draw.drawn_on) for r in got] == [
            (r.pk, r.draw.drawn_on) for r in _results(person.pk)
        ]
        assert prepared_results() == before + 1


# Queries of several kinds, read together: select_related, an annotation, a slice, one
# that finds nothing, and orders of their own (newest first, by name, by id).
TOGETHER = {
    "results": lambda person: (
        LabResult.objects.filter(draw__patient_id=person)
        .select_related("draw")
        .order_by("-draw__drawn_on", "analyte")[:3]
    ),
    "medicines": lambda person: Medication.objects.filter(patient_id=person),
    "people": lambda person: Patient.objects.filter(pk=person).annotate(draw_count=Count("draws")),
    "infusions": lambda person: Infusion.objects.filter(patient_id=person).order_by("pk"),
}


def _fields(obj):
    # Every column and annotation read, with its type: dates must stay dates.
    return {k: (v, type(v)) for k, v in vars(obj).items() if k != "_state"}


def _same(got, expected):
    assert [_fields(obj) for obj in got] == [_fields(obj) for obj in expected]
    related = [obj._state.fields_cache for obj in got]
    assert [{k: _fields(v) for k, v in cache.items()} for cache in related] == [
        {k: _fields(v) for k, v in obj._state.fields_cache.items()} for obj in expected
    ]


@pytest.mark.parametrize("prepared", [False, True])
def test_queries_read_together_give_what_each_gives_alone(owner, prepared):
    alex = Patient.objects.create(owner=owner, name="Alex")
    sam = Patient.objects.create(owner=owner, name="Sam")
    for week in range(4):
        add_draw(alex, DAY0 + datetime.timedelta(weeks=week), ferritin=30 + week, iron=9)
    add_draw(sam, DAY0, ferritin=300)
    add_medicine(alex, DAY0, notes="first")
    add_medicine(alex, DAY0 + datetime.timedelta(days=40), drug="gabapentin", dose=300)
    add_infusion(sam, DAY0 + datetime.timedelta(days=3))

    for person in (alex, sam, alex):  # the second alex runs the kept statement again
        got = compiled.together("test-together", TOGETHER, prepared=prepared, person=person.pk)
        assert list(got) == list(TOGETHER)
        for name, build in TOGETHER.items():
            _same(got[name], list(build(person.pk)))
    assert [m.drug for m in got["medicines"]] == ["gabapentin", "pramipexole"]
    assert got["people"][0].draw_count == 4 and got["infusions"] == []


def test_queries_read_together_refuse_a_date_or_an_unused_id(owner):
    dated = {"results": lambda person: _results(person).filter(draw__drawn_on__gte=DAY0)}
    with pytest.raises(ValueError, match="holds a date"):
        compiled.together("test-together-dated", dated, person=1)
    unused = {**TOGETHER, "all": lambda person: LabResult.objects.all()}
    with pytest.raises(ValueError, match="does not use every id"):
        compiled.together("test-together-unused", unused, person=1)


def test_a_relation_read_together_is_left_as_prefetch_related_leaves_it(
    owner, django_assert_num_queries
):
    from rlsapp.tracking.treatments import MedicationEvent

    alex = Patient.objects.create(owner=owner, name="Alex")
    first = add_medicine(alex, DAY0)
    second = add_medicine(alex, DAY0 + datetime.timedelta(days=40), drug="gabapentin", dose=300)
    add_medicine(alex, DAY0 + datetime.timedelta(days=80), drug="ropinirole", dose=0.5)
    for medicine, days, kind, dose in [
        (first, 5, "dose_change", 0.5),
        (first, 2, "side_effect", None),
        (second, 50, "dose_change", 600),
        (first, 2, "other", None),  # the same day as the side effect: in the order entered
    ]:
        add_medicine_event(medicine, DAY0 + datetime.timedelta(days=days), kind, dose)
    builds = {
        "medicines": lambda person: Medication.objects.filter(patient_id=person),
        "events": lambda person: MedicationEvent.objects.filter(medication__patient_id=person),
    }
    got = compiled.together("test-together-events", builds, person=alex.pk)
    compiled.as_prefetched(got["medicines"], "events", got["events"])
    expected = list(Medication.objects.filter(patient=alex).prefetch_related("events"))
    assert [len(m.events.all()) for m in expected] == [0, 1, 3]
    with django_assert_num_queries(0):
        for medicine, reference in zip(got["medicines"], expected, strict=True):
            events = list(medicine.events.all())
            assert [_fields(e) for e in events] == [_fields(e) for e in reference.events.all()]
            assert all(event.medication is medicine for event in events)
            assert [str(e) for e in events] == [str(e) for e in reference.events.all()]
            assert medicine.current_dose_display() == reference.current_dose_display()
