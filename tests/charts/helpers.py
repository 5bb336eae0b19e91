"""Histories for chart tests, built through the ORM (fast; the browser tests use the forms)."""

import datetime

from rlsapp.domain.units import Measurement
from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, SymptomScore

DAY0 = datetime.date(2024, 1, 1)


def add_draw(patient, day, comparator="", lab="City Lab (Roche)", **values):
    draw = LabDraw(patient=patient, drawn_on=day, lab_name=lab)
    measurements = {}
    for analyte, value in values.items():
        sign = comparator if analyte == "ferritin" else ""
        measurements[analyte] = Measurement(analyte, value, sign, f"{sign}{value}", "µg/L")
    services.save_draw(draw, measurements)
    return draw


def week(n):
    return DAY0 + datetime.timedelta(weeks=n)


def add_long_history(patient, draws):
    """A long history in bulk, through the write path imports use."""
    made = [LabDraw(drawn_on=DAY0 + datetime.timedelta(days=7 * i)) for i in range(draws)]
    services.add_in_bulk(
        patient,
        new_draws=made,
        results_by_draw=[
            (
                d,
                [
                    LabResult(analyte=a, value=v, entered_value=str(v), entered_unit=u)
                    for a, v, u in [
                        ("ferritin", 400 - n % 50 * 6, "µg/L"),
                        ("hemoglobin", 13, "g/dL"),
                    ]
                ],
            )
            for n, d in enumerate(made)
        ],
        infusions=[
            Infusion(given_on=DAY0 + datetime.timedelta(days=350 * i))
            for i in range(max(1, draws // 50))
        ],
        symptom_scores=[
            SymptomScore(recorded_on=DAY0 + datetime.timedelta(days=i), severity=3)
            for i in range(max(1, draws // 2))
        ],
    )
