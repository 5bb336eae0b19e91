"""Histories for chart tests, built through the ORM (fast; the browser tests use the forms)."""

import datetime

from rlsapp.tracking.models import Infusion, LabDraw, LabResult, SymptomScore
from rlsapp.tracking.versions import bump_data_version

DAY0 = datetime.date(2024, 1, 1)


def add_draw(patient, day, comparator="", lab="City Lab (Roche)", **values):
    draw = LabDraw.objects.create(patient=patient, drawn_on=day, lab_name=lab)
    for analyte, value in values.items():
        LabResult.objects.create(
            draw=draw,
            analyte=analyte,
            value=value,
            comparator=comparator if analyte == "ferritin" else "",
            entered_value=f"{comparator}{value}",
            entered_unit="µg/L",
        )
    return draw


def week(n):
    return DAY0 + datetime.timedelta(weeks=n)


def add_long_history(patient, draws):
    made = LabDraw.objects.bulk_create(
        LabDraw(patient=patient, drawn_on=DAY0 + datetime.timedelta(days=7 * i))
        for i in range(draws)
    )
    LabResult.objects.bulk_create(
        LabResult(draw=d, analyte=a, value=v, entered_value=str(v), entered_unit=u)
        for n, d in enumerate(made)
        for a, v, u in [("ferritin", 400 - n % 50 * 6, "µg/L"), ("hemoglobin", 13, "g/dL")]
    )
    Infusion.objects.bulk_create(
        Infusion(patient=patient, given_on=DAY0 + datetime.timedelta(days=350 * i))
        for i in range(max(1, draws // 50))
    )
    SymptomScore.objects.bulk_create(
        SymptomScore(patient=patient, recorded_on=DAY0 + datetime.timedelta(days=i), severity=3)
        for i in range(max(1, draws // 2))
    )
    bump_data_version(pk=patient.owner_id)  # as an import does: bulk writes send no signals
