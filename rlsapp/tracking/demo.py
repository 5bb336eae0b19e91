"""Realistic two-year histories for the demo account (and for tests that want one).

Alex has three 1000 mg infusions; ferritin spikes in the first weeks, then falls
3–7 µg/L per week, as Earley et al. describe. Sam and Robin fill the worklist:
Sam's first re-check after an infusion is overdue, Robin's ferritin is below the
threshold. Alex also took oral iron between two infusions (ferritin rises during it, and
those results are left out of the decline fit), and pramipexole until augmentation, then
switched to gabapentin enacarbil. Random noise is seeded, so a history is the same on every
machine for the same "today".
"""

import datetime
import random

from django.db import transaction

from rlsapp.domain import units

from . import services
from .models import Infusion, LabDraw, Patient, SymptomScore
from .treatments import Medication, MedicationEvent, OralIronCourse

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

# Alex's oral iron course (days before today: start, end; until the next infusion), and
# the rise it brings per day.
ORAL_IRON = (240, 175)
ORAL_IRON_RISE_PER_DAY = 1.5
# Alex's RLS medicines: a dopamine agonist with a dose change and augmentation, then a
# switch to an alpha-2-delta ligand (days before today).
AGONIST_START, AGONIST_DOSE_UP, AUGMENTATION, AGONIST_STOP = 720, 610, 400, 385

# name, sex, infusions, days before today of the last draw
DEMO_PEOPLE = [
    ("Alex (demo)", "F", INFUSIONS, 7),
    ("Sam (demo)", "M", [(330, "lmw_dextran", 6.0, 300), (70, "fcm", 6.0, 320)], 75),
    ("Robin (demo)", "F", [(260, "fcm", 6.6, 290)], 20),
]
WITH_TREATMENTS = "Alex (demo)"


def _ferritin_on(day, infusions, oral_iron=None):
    """Ferritin on a day (days before today, decreasing), from the latest infusion before it,
    plus the rise during an oral iron course (start, end) if one was taken by then."""
    before = [i for i in infusions if i[0] >= day]
    if not before:
        return BASELINE + 0.02 * (730 - day)
    start, _product, slope, peak = before[-1]
    weeks = (start - day) / 7
    if weeks < 3:  # the spike while iron is taken into stores
        return 60 + (peak - 60) * weeks / 3
    value = max(20.0, peak - 15 - slope * (weeks - 3))
    if oral_iron and oral_iron[0] >= day and start > oral_iron[0]:
        value += ORAL_IRON_RISE_PER_DAY * (oral_iron[0] - max(day, oral_iron[1]))
    return value


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
    oral_iron = ORAL_IRON if name == WITH_TREATMENTS else None
    if oral_iron:
        # Draws during the course, to show its rise (and that the fit leaves them out).
        draw_days = sorted({*draw_days, oral_iron[0] - 35, oral_iron[1] + 5}, reverse=True)
    for day in [*draw_days, last_draw]:
        drawn_on = today - datetime.timedelta(days=day)
        draw = LabDraw(patient=patient, drawn_on=drawn_on, lab_name="City Lab (Roche)")
        ferritin = _ferritin_on(day, infusions, oral_iron) * rng.uniform(0.95, 1.05)
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
        ferritin = _ferritin_on(day, infusions, oral_iron)
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
    if name == WITH_TREATMENTS:
        add_demo_treatments(patient, owner, today)
    return patient


def add_demo_treatments(patient, owner, today):
    """Oral iron between two infusions; pramipexole, augmentation, then gabapentin enacarbil."""

    def ago(days):
        return today - datetime.timedelta(days=days)

    services.save_treatment(
        OralIronCourse(
            patient=patient,
            product="ferrous_sulfate",
            elemental_mg=65,
            schedule="alternate",
            with_vitamin_c=True,
            started_on=ago(ORAL_IRON[0]),
            ended_on=ago(ORAL_IRON[1]),
            stop_reason="Infusion booked instead; constipation.",
        ),
        by=owner,
    )
    agonist = services.save_treatment(
        Medication(
            patient=patient,
            drug="pramipexole",
            dose=0.125,
            started_on=ago(AGONIST_START),
            stopped_on=ago(AGONIST_STOP),
            stop_reason="Augmentation.",
            notes="Taken two hours before bed.",
        ),
        by=owner,
    )
    for event in [
        MedicationEvent(happened_on=ago(AGONIST_DOSE_UP), kind="dose_change", dose=0.25),
        MedicationEvent(
            happened_on=ago(AUGMENTATION),
            kind="augmentation",
            note="Symptoms start in the early afternoon and reach the arms.",
        ),
    ]:
        event.medication = agonist
        services.save_treatment(event, by=owner)
    services.save_treatment(
        Medication(
            patient=patient,
            drug="gabapentin_enacarbil",
            dose=600,
            started_on=ago(AGONIST_STOP - 1),
            notes="Switched from pramipexole.",
        ),
        by=owner,
    )
