"""A person's details, lab draws, infusions and symptom scores; restoring a record."""

from simple_history.utils import bulk_create_with_history

from rlsapp.domain import rules, units

from .. import lab_entry, treatment_rules
from ..change_reasons import (
    DELETED_WITH_DRAW,
    DELETED_WITH_MEDICINE,
    RESTORED,
    RESTORED_WITH_DRAW,
    RESTORED_WITH_MEDICINE,
)
from ..models import LEFT_OUT_CHOICES, Infusion, LabDraw, LabResult, Patient, SymptomScore
from ..treatments import TREATMENT_MODELS, Medication, MedicationEvent
from ..versions import one_bump_at_the_end
from . import new_draw
from .base import (
    DRAWS,
    KIND_OF,
    SETTINGS,
    UNCHECKED,
    AlreadyPresent,
    ParentMissing,
    _by,
    _changed,
    _claim_version,
    _gone_with,
    _restore_with,
)
from .treatments import delete_treatment

# People ----------------------------------------------------------------------


@one_bump_at_the_end()
def save_person(person: Patient, *, seen_version=UNCHECKED, by=None) -> Patient:
    """Add a person or change their details and re-check settings."""
    _claim_version(person, seen_version)
    # A new owner (the admin, a transfer) moves the owner membership (Patient.save); the
    # previous owner's cached pages need no telling: access is checked before the cache.
    _by(person, by).save()
    _changed([person], [SETTINGS])
    return person


# Lab draws -------------------------------------------------------------------


@one_bump_at_the_end()
def save_draw(
    draw: LabDraw,
    measurements: dict[str, units.Measurement] | None,
    *,
    seen_version=UNCHECKED,
    by=None,
) -> bool:
    """Save a draw with exactly these results (None: keep its results as they are).

    Transferrin saturation is calculated from iron and TIBC when no TSAT is given
    (rules.calculated_tsat); returns whether it was. Raises rules.TsatOutOfRange.
    """
    _claim_version(draw, seen_version)
    adding = draw._state.adding
    tsat_calculated = False
    results = None
    if measurements is not None:
        measurements = dict(measurements)
        tsat = rules.calculated_tsat(measurements)
        if tsat is not None:
            measurements["tsat"] = tsat
            tsat_calculated = True
        results = {
            code: _by(LabResult(draw=draw), by).set_measurement(
                m, calculated=tsat_calculated and code == "tsat"
            )
            for code, m in measurements.items()
        }
    if adding and results is not None and new_draw.possible():
        # The draw, its results and their history rows in one statement.
        new_draw.insert(_by(draw, by), list(results.values()))
        _changed([draw.patient], [DRAWS])
        return tsat_calculated
    _by(draw, by).save()
    if results is not None:
        if adding:  # nothing to replace: all results and their history in two inserts
            bulk_create_with_history(list(results.values()), LabResult, default_user=by)
        else:  # an edit: results it no longer holds go, the others are updated in place
            for saved in draw.results.all():  # prefetched when the form read the draw
                if saved.analyte not in results:
                    _by(saved, by).delete()
                else:
                    results[saved.analyte].pk = saved.pk
                    results[saved.analyte]._state.adding = False
            for result in results.values():
                _by(result, by).save()
    _changed([draw.patient], [DRAWS])
    return tsat_calculated


@one_bump_at_the_end()
def leave_out(
    draw: LabDraw, reason: str, note: str = "", *, seen_version=UNCHECKED, by=None
) -> LabDraw:
    """Leave a draw out of the decline fits (kept in every table), with the reason; its
    history entry says so, and put_back undoes it."""
    if reason not in dict(LEFT_OUT_CHOICES):
        raise ValueError(f"unknown reason {reason!r} for leaving a draw out")
    draw.left_out_reason, draw.left_out_note = reason, note.strip()
    draw._change_reason = f"left out of the fits: {draw.left_out_words}"
    return _save_draw_fields(draw, seen_version, by)


@one_bump_at_the_end()
def put_back(draw: LabDraw, *, seen_version=UNCHECKED, by=None) -> LabDraw:
    """Let a left-out draw enter the fits again."""
    draw.left_out_reason, draw.left_out_note = "", ""
    draw._change_reason = "put back into the fits"
    return _save_draw_fields(draw, seen_version, by)


def _save_draw_fields(draw: LabDraw, seen_version, by) -> LabDraw:
    _claim_version(draw, seen_version)
    _by(draw, by).save(update_fields=["left_out_reason", "left_out_note", "version"])
    _changed([draw.patient], [DRAWS])
    return draw


@one_bump_at_the_end()
def delete_draw(draw: LabDraw) -> None:
    """Delete a draw and its results, marking the results' history so that a restore of the
    draw can tell them from results removed earlier by an edit."""
    for result in draw.results.all():
        result._change_reason = DELETED_WITH_DRAW
        result.delete()
    draw.delete()
    _changed([draw.patient], [DRAWS])


# Infusions and symptom scores --------------------------------------------------


@one_bump_at_the_end()
def save_record(record: Infusion | SymptomScore, *, seen_version=UNCHECKED, by=None):
    """Add or change an infusion or a symptom score."""
    _claim_version(record, seen_version)
    _by(record, by).save()
    _changed([record.patient], [KIND_OF[type(record)]])
    return record


@one_bump_at_the_end()
def delete_record(record: Infusion | SymptomScore, *, by=None, reason: str = "") -> None:
    record._change_reason = reason or None  # the history's why (an import's replacement)
    _by(record, by).delete()
    _changed([record.patient], [KIND_OF[type(record)]])


def delete(record) -> None:
    """Delete one record of a person the way its kind is deleted (a draw with its results,
    a medicine with its events): for callers that handle every kind alike."""
    if isinstance(record, LabDraw):
        delete_draw(record)
    elif isinstance(record, (Infusion, SymptomScore)):
        delete_record(record)
    elif isinstance(record, TREATMENT_MODELS):
        delete_treatment(record)
    else:
        raise TypeError(f"no delete service for {type(record).__name__}")


# Restore ---------------------------------------------------------------------


@one_bump_at_the_end()
def restore(history_record):
    """Bring back a deleted record as it was when deleted; a draw comes back with its results."""
    model = history_record.instance_type
    if model.objects.filter(pk=history_record.id).exists():
        raise AlreadyPresent
    if (
        model is MedicationEvent
        and not Medication.objects.filter(pk=history_record.medication_id).exists()
    ):
        raise ParentMissing
    obj = history_record.instance
    if model in treatment_rules.PROBLEMS_OF:
        treatment_rules.check(obj)  # a course may not come back over a newer one
    results = []
    if model is LabDraw:
        results = _gone_with(LabResult.history.filter(draw_id=obj.pk), DELETED_WITH_DRAW)
        _refuse_a_twin(obj, results)
    obj._change_reason = RESTORED
    obj.save(force_insert=True)
    if model is Medication:
        events = MedicationEvent.history.filter(medication_id=obj.pk)
        _restore_with(_gone_with(events, DELETED_WITH_MEDICINE), RESTORED_WITH_MEDICINE)
    _restore_with(results, RESTORED_WITH_DRAW)
    _changed([obj.patient], [KIND_OF[model]])
    return obj


def _refuse_a_twin(draw: LabDraw, results: list[LabResult]) -> None:
    """The lab form's rule for a second draw of a day with the same results (counted twice
    in every fit) holds for a restore too: refused, naming the draw already saved. A real
    second draw can be entered again with the form, which asks."""
    typed = {r.analyte: r for r in results if not r.calculated}
    same_day = LabDraw.objects.filter(patient_id=draw.patient_id, drawn_on=draw.drawn_on)
    twin = next(
        (d for d in same_day.prefetch_related("results") if lab_entry.identical(d, typed)), None
    )
    if twin is not None:
        lab = f", {twin.lab_name}" if twin.lab_name else ""
        raise treatment_rules.InvalidRecord(
            {
                "drawn_on": (
                    f"the same results are already saved for {twin.drawn_on:%Y-%m-%d}{lab}: "
                    "restoring this draw would count them twice. If it really is a second "
                    "draw, enter it again with the lab form, which asks to confirm."
                )
            }
        )
