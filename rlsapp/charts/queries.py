"""The two queries behind every chart, whatever the length of the history.

Rows come back as tuples (values_list): a long history is thousands of results,
and model instances would cost more than the whole fit.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import CharField, DateField, F, Value
from django.db.models.functions import Cast

from rlsapp.domain import products
from rlsapp.tracking import fit_inputs
from rlsapp.tracking.models import Infusion, LabResult, SymptomScore
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse

from .treatments import COURSE, EVENT, MEDICINE, Treatments


@dataclass(frozen=True)
class Result:
    analyte: str
    day: date
    value: float
    comparator: str
    lab_name: str
    left_out_reason: str = ""  # the draw's (tracking.fit_inputs reads these three)
    left_out_note: str = ""
    after_infusion: bool = False
    draw_id: int = 0  # which draw: two labs on one day are two rows of the report


@dataclass(frozen=True)
class InfusionRow:
    day: date
    dose_mg: int
    product: str
    product_label: str

    @property
    def label(self):
        return f"{self.product_label} {self.dose_mg} mg"


@dataclass
class History:
    """Everything the charts draw for one patient, oldest first."""

    results: list[Result] = field(default_factory=list)
    infusions: list[InfusionRow] = field(default_factory=list)
    scores: list[tuple[date, int]] = field(default_factory=list)
    treatments: Treatments = field(default_factory=Treatments)

    def series(self, analyte):
        return [r for r in self.results if r.analyte == analyte]


def results_for_charts(patient):
    return (
        LabResult.objects.filter(draw__patient=patient)
        .order_by("draw__drawn_on", "draw_id")
        .values_list(
            "analyte", "draw__drawn_on", "value", "comparator", *fit_inputs.DRAW_FIELDS, "draw_id"
        )
    )


def infusions_and_scores(patient):
    """Infusions, symptom scores, oral iron courses, medicines and their events in ONE query
    (UNION ALL): the chart JSON's budget is 5 queries including the session, the user and
    the patient. Rows: (day, number, code, other name, kind, end day).

    Every column is named as an annotation: values_list() puts plain fields before
    expressions in the SQL, so mixing them misaligns the UNION's columns (PostgreSQL then
    refuses to match text with dates)."""
    text = CharField()
    # Cast: an untyped NULL in the first branches makes PostgreSQL settle the column as text.
    no_end = Cast(Value(None), DateField())

    def rows(model, day, number, code, other, kind, end):
        return (
            model.objects.filter(patient=patient)
            .order_by()
            .annotate(
                row_day=F(day),
                row_number=F(number),
                row_code=F(code) if isinstance(code, str) else code,
                row_other=F(other) if isinstance(other, str) else other,
                row_kind=Value(kind, text),
                row_end=F(end) if isinstance(end, str) else end,
            )
            .values_list("row_day", "row_number", "row_code", "row_other", "row_kind", "row_end")
        )

    blank = Value("", text)
    infusions = rows(Infusion, "given_on", "dose_mg", "product", "product_other", "i", no_end)
    scores = rows(SymptomScore, "recorded_on", "severity", blank, blank, "s", no_end)
    courses = rows(
        OralIronCourse, "started_on", "pk", "product", "product_other", COURSE, "ended_on"
    )
    medicines = rows(Medication, "started_on", "pk", "drug", "drug_other", MEDICINE, "stopped_on")
    events = rows(MedicationEvent, "happened_on", "medication_id", "kind", blank, EVENT, no_end)
    return infusions.union(scores, courses, medicines, events, all=True)


def load_history(patient) -> History:
    history = History(results=[Result(*row) for row in results_for_charts(patient)])
    for day, number, product, product_other, kind, end in infusions_and_scores(patient):
        if kind in (COURSE, MEDICINE, EVENT):
            history.treatments.add(kind, day, number, product, product_other, end)
        elif kind == "i":
            # An unsaved instance, so the label rule stays in one place (the model).
            label = products.short_name(product, product_other)
            history.infusions.append(InfusionRow(day, number, product, label))
        else:
            history.scores.append((day, number))
    history.infusions.sort(key=lambda i: i.day)
    history.scores.sort()
    return history
