"""Realistic two-year histories for the demo account (and for tests that want one).

Alex has three 1000 mg infusions; ferritin spikes in the first weeks, then falls
3–7 µg/L per week, as Earley et al. describe. Sam and Robin fill the worklist:
Sam's first re-check after an infusion is overdue, Robin's ferritin is below the
threshold. Random noise is seeded, so a history is the same on every machine for
the same "today".
"""

import datetime
import random

from django.db import transaction

from rlsapp.domain import units

from . import services
from .models import Infusion, LabDraw, Patient, SymptomScore

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "restless-legs-demo"

# (days before today, product, weekly decline after the spike, peak µg/L)
# Each course is given once ferritin has fallen below the 100 µg/L threshold.
INFUSIONS = [
    (700, "fcm", 6.5, 310),
    (450, "fcm", 5.5, 300),
    (170, "derisomaltose", 3.8, 330),
]
BASELINE = 38.0

# name, sex, infusions, days before today of the last draw
DEMO_PEOPLE = [
    ("Alex (demo)", "F", INFUSIONS, 7),
    ("Sam (demo)", "M", [(330, "lmw_dextran", 6.0, 300), (70, "fcm", 6.0, 320)], 75),
    ("Robin (demo)", "F", [(260, "fcm", 6.6, 290)], 20),
]


def _ferritin_on(day, infusions):
    """Ferritin on a day (days before today, decreasing), from the latest infusion before it."""
    before = [i for i in infusions if i[0] >= day]
    if not before:
        return BASELINE + 0.02 * (730 - day)
    start, _product, slope, peak = before[-1]
    weeks = (start - day) / 7
    if weeks < 3:  # the spike while iron is taken into stores
        return 60 + (peak - 60) * weeks / 3
    return max(20.0, peak - 15 - slope * (weeks - 3))


@transaction.atomic
def create_demo_people(owner, today):
    return [
        create_demo_history(owner, today, name, sex, infusions, last_draw, seed=2005 + i)
        for i, (name, sex, infusions, last_draw) in enumerate(DEMO_PEOPLE)
    ]


@transaction.atomic
def create_demo_history(
    owner, today, name="Alex (demo)", sex="F", infusions=INFUSIONS, last_draw=7, seed=2005
):
    rng = random.Random(seed)
    # Saved as the account's owner, so the change history names who entered it.
    patient = services.save_person(Patient(owner=owner, name=name, sex=sex), by=owner)
    for days_ago, product, _slope, _peak in infusions:
        services.save_record(
            Infusion(
                patient=patient,
                given_on=today - datetime.timedelta(days=days_ago),
                product=product,
                dose_mg=1000,
                reaction="Mild headache the same evening." if days_ago == 450 else "",
                notes="Clinic infusion suite, 15 minutes.",
            ),
            by=owner,
        )
    draw_days = []
    day = 730
    while day > last_draw + 14:
        draw_days.append(day)
        day -= rng.randint(42, 70) if day < 700 else 14
    for day in [*draw_days, last_draw]:
        drawn_on = today - datetime.timedelta(days=day)
        draw = LabDraw(patient=patient, drawn_on=drawn_on, lab_name="City Lab (Roche)")
        ferritin = _ferritin_on(day, infusions) * rng.uniform(0.95, 1.05)
        hemoglobin = rng.uniform(12.4, 13.6)
        values = {
            "ferritin": (f"{ferritin:.0f}", "µg/L"),
            "hemoglobin": (f"{hemoglobin * 10:.0f}", "g/L"),
            "hematocrit": (f"{hemoglobin * 3 / 100:.2f}", "L/L"),
        }
        if rng.random() < 0.5:
            iron, tibc = rng.uniform(60, 120), rng.uniform(260, 340)
            values["iron"] = (f"{iron:.0f}", "µg/dL")
            values["tibc"] = (f"{tibc:.0f}", "µg/dL")
            values["tsat"] = (f"{iron / tibc * 100:.0f}", "%")
        since_fcm = [d - day for d, p, *_ in infusions if p == "fcm" and 0 <= d - day <= 42]
        if since_fcm:
            values["phosphate"] = (f"{rng.uniform(1.9, 2.6):.1f}", "mg/dL")
        measurements = {code: units.measure(code, *entered) for code, entered in values.items()}
        services.save_draw(draw, measurements, by=owner)
    for day in range(728, 0, -14):
        ferritin = _ferritin_on(day, infusions)
        severity = max(0, min(10, round(10 - ferritin / 22 + rng.uniform(-1, 1))))
        services.save_record(
            SymptomScore(
                patient=patient,
                recorded_on=today - datetime.timedelta(days=day),
                severity=severity,
                onset_time=datetime.time(21 - severity // 3, 0) if severity else None,
            ),
            by=owner,
        )
    return patient
