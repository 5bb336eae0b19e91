"""model_rows.instance_maker makes what Model.from_db makes, and leaves the making to
Django wherever it could differ."""

import datetime
import functools

import pytest
from django.db.models import signals

from rlsapp.tracking.model_rows import instance_maker
from rlsapp.tracking.models import LabDraw, LabResult, Patient

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2025, 3, 3, 9, tzinfo=datetime.UTC)


def _names(model):
    return [field.attname for field in model._meta.concrete_fields]


def _same(made, reference):
    assert type(made) is type(reference)
    assert {k: v for k, v in vars(made).items() if k != "_state"} == {
        k: v for k, v in vars(reference).items() if k != "_state"
    }
    assert (made._state.adding, made._state.db) == (reference._state.adding, reference._state.db)
    assert made._state.fields_cache == {}


def test_a_result_and_a_draw_are_made_as_from_db_makes_them():
    result = (7, 3, "ferritin", 40.0, "<", "<40", "µg/L", False)
    draw = (3, WHEN, 2, 11, datetime.date(2025, 3, 1), "Lab", "", False, "", "")
    for model, values in ((LabResult, result), (LabDraw, draw)):
        names = _names(model)
        made = instance_maker(model, "default", names)(values)
        assert not isinstance(instance_maker(model, "default", names), functools.partial)
        _same(made, model.from_db("default", names, values))
    made = instance_maker(LabResult, "default", _names(LabResult))(result)
    # The foreign key behaves as on any instance: its id, then the object once set.
    assert made.draw_id == 3 and made.pk == 7 and not made._state.adding


def test_django_makes_what_it_might_make_differently(owner):
    # A model with its own from_db (Patient keeps the owner it was read with).
    patient = Patient.objects.create(owner=owner, name="Alex")
    names = _names(Patient)
    values = [getattr(patient, name) for name in names]
    made = instance_maker(Patient, "default", names)(values)
    assert made.owner_id_from_db == owner.pk
    # Some columns only (the others deferred), or in another order.
    some = ["id", "analyte"]
    assert instance_maker(LabResult, "default", some)((1, "iron")).get_deferred_fields()
    # Something listening when an instance is made.
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(listener, sender=LabResult)
    try:
        instance_maker(LabResult, "default", _names(LabResult))(
            (7, 3, "ferritin", 40.0, "", "40", "µg/L", False)
        )
    finally:
        signals.post_init.disconnect(listener, sender=LabResult)
    assert len(seen) == 1
