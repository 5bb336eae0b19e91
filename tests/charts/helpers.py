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


LONG_LAB = "Quest Diagnostics Regional Laboratory"
LONG_REACTIONS = {
    1: "Flushing, chest tightness and back pain ten minutes in; the infusion was stopped, "
    "hydrocortisone given, then restarted at half the rate after thirty minutes and finished "
    "without further symptoms.",
    4: "Hypotension (88/50) and nausea at twenty minutes. Infusion paused for fifteen minutes, "
    "given 500 mL saline, then completed slowly; observed for an hour before going home.",
    6: "Itchy rash on both forearms during the infusion and a headache the same evening, "
    "settled with an antihistamine; a low phosphate followed six weeks later.",
}


def add_stress_history(patient, today):
    """Ten years a printed report must still fit on two pages: eight infusions, three with
    long reactions, a lab whose long name wraps on every draw, every iron test at each draw,
    and three medicine and oral iron rows (one with two dated events)."""
    from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse

    start = today - datetime.timedelta(days=3650)
    patient.birth_date = datetime.date(1957, 5, 9)
    patient.save()
    for n in range(8):
        services.save_record(
            Infusion(
                patient=patient,
                given_on=start + datetime.timedelta(days=200 + 430 * n),
                product=("fcm", "derisomaltose", "sucrose")[n % 3],
                dose_mg=1000 if n % 3 != 2 else 200,
                reaction=LONG_REACTIONS.get(n, "Mild headache the same evening." if n % 2 else ""),
            )
        )
    for n in range(70):
        day = start + datetime.timedelta(days=52 * n)
        infused = (day - start).days - 200
        weeks = (infused % 430) / 7 if infused >= 0 else 60
        ferritin = max(18, 520 - 6.5 * weeks) if weeks > 3 else 480
        add_draw(
            patient,
            day,
            lab=LONG_LAB,
            ferritin=round(ferritin),
            tsat=18 + n % 20,
            hemoglobin=12 + (n % 7) / 5,
            hematocrit=36 + n % 6,
            phosphate=2.1 + (n % 9) / 5,
        )
    course = OralIronCourse(
        patient=patient,
        product="ferrous_sulfate",
        elemental_mg=65,
        schedule="alternate",
        with_vitamin_c=True,
        started_on=start + datetime.timedelta(days=1500),
        ended_on=start + datetime.timedelta(days=1590),
        stop_reason="Constipation and stomach cramps; an infusion was booked instead.",
    )
    services.save_treatment(course)
    agonist = services.save_treatment(
        Medication(
            patient=patient,
            drug="pramipexole",
            dose=0.125,
            started_on=start + datetime.timedelta(days=900),
            stopped_on=start + datetime.timedelta(days=2600),
            stop_reason="Augmentation.",
        )
    )
    for days, kind, dose, note in [
        (1400, "dose_change", 0.25, ""),
        (2400, "augmentation", None, "Symptoms start in the early afternoon and reach the arms."),
    ]:
        services.save_treatment(
            MedicationEvent(
                medication=agonist,
                happened_on=start + datetime.timedelta(days=days),
                kind=kind,
                dose=dose,
                note=note,
            )
        )
    services.save_treatment(
        Medication(
            patient=patient,
            drug="gabapentin_enacarbil",
            dose=600,
            started_on=start + datetime.timedelta(days=2601),
        )
    )
    return patient
