"""The two queries behind every chart, whatever the length of the history.

Rows come back as tuples (values_list): a long history is thousands of results,
and model instances would cost more than the whole fit.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import CharField, Value

from rlsapp.domain import products
from rlsapp.tracking.models import Infusion, LabResult, SymptomScore


@dataclass(frozen=True)
class Result:
    analyte: str
    day: date
    value: float
    comparator: str
    lab_name: str


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

    def series(self, analyte):
        return [r for r in self.results if r.analyte == analyte]


def results_for_charts(patient):
    return (
        LabResult.objects.filter(draw__patient=patient)
        .order_by("draw__drawn_on", "draw_id")
        .values_list("analyte", "draw__drawn_on", "value", "comparator", "draw__lab_name")
    )


def infusions_and_scores(patient):
    """Infusions and symptom scores in ONE query (UNION ALL): the chart JSON's budget is 5
    queries including the session, the user and the patient."""
    text = CharField()
    infusions = (
        Infusion.objects.filter(patient=patient)
        .order_by()
        .values_list("given_on", "dose_mg", "product", "product_other", Value("i", text))
    )
    scores = (
        SymptomScore.objects.filter(patient=patient)
        .order_by()
        .values_list("recorded_on", "severity", Value("", text), Value("", text), Value("s", text))
    )
    return infusions.union(scores, all=True)


def load_history(patient) -> History:
    history = History(results=[Result(*row) for row in results_for_charts(patient)])
    for day, number, product, product_other, kind in infusions_and_scores(patient):
        if kind == "i":
            # An unsaved instance, so the label rule stays in one place (the model).
            label = products.short_name(product, product_other)
            history.infusions.append(InfusionRow(day, number, product, label))
        else:
            history.scores.append((day, number))
    history.infusions.sort(key=lambda i: i.day)
    history.scores.sort()
    return history
