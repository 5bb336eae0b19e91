"""A patient with a bit of everything, for export and round-trip tests."""

import datetime

from rlsapp.domain import units
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, SymptomScore


def add_draw(patient, day, lab="", note="", calculated=(), **values):
    draw = LabDraw.objects.create(patient=patient, drawn_on=day, lab_name=lab, note=note)
    for code, (text, unit) in values.items():
        measurement = units.measure(code, text, unit)
        LabResult(draw=draw).set_measurement(measurement, calculated=code in calculated).save()
    return draw


def fill(patient):
    add_draw(
        patient,
        datetime.date(2023, 1, 14),
        lab="Labor Dr. Müller",
        note="fasting, 8 am",
        ferritin=("<5", "µg/L"),
        hemoglobin=("118", "g/L"),
        hematocrit=("0,36", "L/L"),
        iron=("8,2", "µmol/L"),
        tibc=("410", "µg/dL"),
        tsat=("11.2", "%"),
        calculated={"tsat"},
    )
    add_draw(
        patient,
        datetime.date(2023, 5, 2),
        lab="Quest",
        ferritin=("312", "ng/mL"),
        phosphate=("0,71", "mmol/L"),
    )
    add_draw(patient, datetime.date(2023, 11, 21), ferritin=("214,4", "pmol/L"))
    Infusion.objects.create(
        patient=patient,
        given_on=datetime.date(2023, 2, 1),
        product="fcm",
        dose_mg=1000,
        reaction='=HYPERLINK("http://evil") flushing',
        notes="+ second arm",
    )
    Infusion.objects.create(
        patient=patient,
        given_on=datetime.date(2023, 8, 1),
        product="other",
        product_other="Iron polymaltose",
        dose_mg=500,
    )
    SymptomScore.objects.create(
        patient=patient,
        recorded_on=datetime.date(2023, 1, 10),
        severity=8,
        onset_time=datetime.time(20, 30),
        note="-bad week @home",
    )
    SymptomScore.objects.create(patient=patient, recorded_on=datetime.date(2023, 4, 10), severity=2)
