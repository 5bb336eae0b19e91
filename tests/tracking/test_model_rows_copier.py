"""model_rows.copier: copies of an instance just made by __init__, with other column values,
must be what __init__ makes for them (the draw form's same-day draws are made so)."""

import datetime

from django.db.models import signals

from rlsapp.tracking import lab_entry, model_rows, services
from rlsapp.tracking.models import LabDraw

DAY = datetime.date(2026, 3, 2)


def made(instance):
    state = instance._state
    values = {k: v for k, v in vars(instance).items() if k != "_state"}
    return values, state.adding, state.db, dict(state.fields_cache)


def test_a_copy_is_what_init_makes(patient):
    first = LabDraw(pk=5, patient=patient, drawn_on=DAY, lab_name="City Lab")
    copy = model_rows.copier(first, None)
    assert copy is not None
    other = copy(id=9, drawn_on=DAY + datetime.timedelta(days=1), lab_name="Other")
    fresh = LabDraw(
        pk=9, patient=patient, drawn_on=DAY + datetime.timedelta(days=1), lab_name="Other"
    )
    assert made(other) == made(fresh)
    assert other.patient is patient
    # Each copy its own state and cache: caching on one leaves the others as made.
    other._state.fields_cache["x"] = 1
    assert made(copy(id=5, drawn_on=DAY, lab_name="City Lab")) == made(first)


def test_init_makes_them_when_something_listens_to_init(patient):
    first = LabDraw(pk=5, patient=patient, drawn_on=DAY, lab_name="City Lab")

    def listener(**kwargs):
        pass

    signals.post_init.connect(listener, sender=LabDraw)
    try:
        init = object()
        assert model_rows.copier(first, init) is init
    finally:
        signals.post_init.disconnect(listener, sender=LabDraw)


def test_init_makes_them_when_a_value_could_be_changed_in_place(patient):
    first = LabDraw(pk=5, patient=patient, drawn_on=DAY, lab_name="City Lab")
    first.note = ["a", "list"]
    init = object()
    assert model_rows.copier(first, init) is init


def test_the_draws_of_a_day_are_what_init_makes(patient):
    for lab in ("City Lab", "Other", ""):
        services.save_draw(LabDraw(patient=patient, drawn_on=DAY, lab_name=lab), None)
    same_day = lab_entry.PastEntries(patient, DAY).same_day
    assert len(same_day) == 3
    for draw in same_day:
        fresh = LabDraw(pk=draw.pk, patient=patient, drawn_on=draw.drawn_on, lab_name=draw.lab_name)
        fresh.preloaded_results = draw.preloaded_results
        assert made(draw) == made(fresh)
