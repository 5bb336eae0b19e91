"""The two queries behind every chart, whatever the length of the history.

Rows come back as tuples (values_list): a long history is thousands of results,
and model instances would cost more than the whole fit.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import CharField, DateField, Value

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
        .values_list("analyte", "draw__drawn_on", "value", "comparator", *fit_inputs.DRAW_FIELDS)
    )


def infusions_and_scores(patient):
    """Infusions, symptom scores, oral iron courses, medicines and their events in ONE query
    (UNION ALL): the chart JSON's budget is 5 queries including the session, the user and
    the patient. Rows: (day, number, code, other name, kind, end day)."""
    text = CharField()
    no_end = Value(None, DateField())
    infusions = (
        Infusion.objects.filter(patient=patient)
        .order_by()
        .values_list("given_on", "dose_mg", "product", "product_other", Value("i", text), no_end)
    )
    scores = (
        SymptomScore.objects.filter(patient=patient)
        .order_by()
        .values_list(
            "recorded_on", "severity", Value("", text), Value("", text), Value("s", text), no_end
        )
    )
    courses = (
        OralIronCourse.objects.filter(patient=patient)
        .order_by()
        .values_list(
            "started_on", "pk", "product", "product_other", Value(COURSE, text),
            "ended_on",
        )
    )  # fmt: skip
    medicines = (
        Medication.objects.filter(patient=patient)
        .order_by()
        .values_list(
            "started_on", "pk", "drug", "drug_other", Value(MEDICINE, text),
            "stopped_on",
        )
    )  # fmt: skip
    events = (
        MedicationEvent.objects.filter(patient=patient)
        .order_by()
        .values_list(
            "happened_on", "medication_id", "kind", Value("", text), Value(EVENT, text),
            no_end,
        )
    )  # fmt: skip
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
