"""Seed a clinic-sized dataset with bulk writes: one clinician, many ten-year histories.

Per patient: a draw every 6–10 weeks (ferritin, hemoglobin and hematocrit, half of
them also iron, TIBC and TSAT), an infusion every 5–8 months, a symptom score every
week. Ferritin spikes after each infusion and then falls 3–7 µg/L per week, as in
rlsapp.tracking.demo. Seeded random numbers: the same size gives the same data.

Bulk writes (COPY on PostgreSQL) skip signals and change history on purpose: the history of a seeded
record is not what the bench measures. They also skip the bump of the user's data version
(rlsapp/tracking/signals.py), so seed() sets the version itself once the data is written.
"""

import datetime
import random
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from rlsapp.tracking.memberships import add_owner_memberships
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient, SymptomScore

BENCH_EMAIL = "bench-clinician@rlsapp.invalid"
CHUNK = 50  # patients per transaction
LABS = ["City Lab (Roche)", "University Hospital (Beckman)", "Northside Clinic Lab"]
PRODUCTS = ["fcm", "fcm", "derisomaltose", "ferumoxytol", "lmw_dextran"]


@dataclass(frozen=True)
class Size:
    patients: int = 2000
    years: int = 10
    seed: int = 2005

    @property
    def signature(self):
        # Kept in the bench user's last name, so a run can reuse a matching dataset.
        return f"bench n={self.patients} years={self.years} seed={self.seed}"


def _ferritin(day, infusions, baseline, rng):
    """Ferritin on `day` from the latest infusion before it (spike, then a linear fall)."""
    latest = None
    for given_on, slope, peak in infusions:
        if given_on <= day:
            latest = (given_on, slope, peak)
        else:
            break
    if latest is None:
        value = baseline
    else:
        given_on, slope, peak = latest
        weeks = (day - given_on).days / 7
        if weeks < 3:
            value = baseline + (peak - baseline) * weeks / 3
        else:
            value = max(15.0, peak - slope * (weeks - 3))
    return value * rng.uniform(0.93, 1.07)


def _history(patient_id, today, size, rng):
    """Rows (plain tuples, no model instances: this runs for millions) of one patient."""
    start = today - datetime.timedelta(days=365 * size.years - rng.randint(0, 20))
    baseline = rng.uniform(18, 60)

    infusions, schedule = [], []
    day = start + datetime.timedelta(days=rng.randint(20, 120))
    while day < today:
        product = rng.choice(PRODUCTS)
        dose = 1020 if product == "ferumoxytol" else 1000
        infusions.append((patient_id, day, product, dose, "Clinic infusion suite."))
        schedule.append((day, rng.uniform(3, 7), rng.uniform(350, 600)))
        day += datetime.timedelta(days=rng.randint(150, 240))

    draws = []
    day = start
    while day < today:
        ferritin = _ferritin(day, schedule, baseline, rng)
        hemoglobin = rng.uniform(11.8, 14.6)
        values = [
            ("ferritin", round(ferritin), "µg/L"),
            ("hemoglobin", round(hemoglobin, 1), "g/dL"),
            ("hematocrit", round(hemoglobin * 3, 1), "%"),
        ]
        if rng.random() < 0.5:
            iron, tibc = round(rng.uniform(50, 140)), round(rng.uniform(250, 420))
            values += [
                ("iron", iron, "ug/dL"),
                ("tibc", tibc, "ug/dL"),
                ("tsat", round(iron / tibc * 100, 1), "%"),
            ]
        draws.append(((patient_id, day, rng.choice(LABS)), values))
        day += datetime.timedelta(days=rng.randint(42, 70))

    scores = []
    day = start
    while day < today:
        ferritin = _ferritin(day, schedule, baseline, rng)
        severity = max(0, min(10, round(9 - ferritin / 45 + rng.uniform(-1.5, 1.5))))
        onset = datetime.time(21 - severity // 3, 0) if severity else None
        scores.append((patient_id, day, severity, onset))
        day += datetime.timedelta(days=7)
    return draws, infusions, scores


class Table:
    """Bulk INSERT of plain rows into a model's table, every other column at its default.

    On PostgreSQL with COPY; elsewhere with executemany. Taking the remaining columns
    from the model keeps this right when other engineers add fields.
    """

    def __init__(self, model, given):
        self.model = model
        template = model()
        self.given = [model._meta.get_field(name) for name in given]
        names = {f.attname for f in self.given}
        self.rest = [
            (f, f.pre_save(template, True))  # the default, or now() for auto_now_add
            for f in model._meta.concrete_fields
            if not f.primary_key and f.attname not in names
        ]

    def next_ids(self, cursor, count):
        table = self.model._meta.db_table
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + count))

    def write(self, rows, with_ids=False):
        """Insert the rows; with_ids returns the id given to each, in order."""
        if not rows:
            return []
        quote = connection.ops.quote_name
        fields = self.given + [f for f, _ in self.rest]
        constants = tuple(value for _, value in self.rest)
        with connection.cursor() as cursor:
            ids = self.next_ids(cursor, len(rows)) if with_ids else []
            columns = ", ".join((["id"] if with_ids else []) + [quote(f.column) for f in fields])
            table = quote(self.model._meta.db_table)
            if with_ids:
                rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
                fields = [self.model._meta.pk, *fields]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + constants)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                    [
                        [
                            f.get_db_prep_save(v, connection)
                            for f, v in zip(fields, row + constants, strict=True)
                        ]
                        for row in rows
                    ],
                )
        return ids


def bench_user():
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        email=BENCH_EMAIL, defaults={"first_name": "Bench", "email_confirmed": True}
    )
    return user


def existing_counts():
    user = get_user_model().objects.filter(email=BENCH_EMAIL).first()
    if user is None:
        return None, {}
    return user.last_name, counts(user)


def counts(user):
    patients = Patient.objects.filter(owner=user)
    return {
        "patients": patients.count(),
        "draws": LabDraw.objects.filter(patient__in=patients).count(),
        "results": LabResult.objects.filter(draw__patient__in=patients).count(),
        "infusions": Infusion.objects.filter(patient__in=patients).count(),
        "symptom_scores": SymptomScore.objects.filter(patient__in=patients).count(),
    }


def seed(size: Size, today=None, out=print):
    """Write the dataset for a fresh bench user; returns the row counts."""
    today = today or datetime.date.today()
    rng = random.Random(size.seed)
    user = bench_user()
    started = time.perf_counter()
    totals = dict.fromkeys(["patients", "draws", "results", "infusions", "symptom_scores"], 0)
    tables = {
        "draws": Table(LabDraw, ["patient", "drawn_on", "lab_name"]),
        "results": Table(
            LabResult,
            ["draw", "analyte", "value", "entered_value", "entered_unit", "calculated"],
        ),
        "infusions": Table(Infusion, ["patient", "given_on", "product", "dose_mg", "notes"]),
        "scores": Table(SymptomScore, ["patient", "recorded_on", "severity", "onset_time"]),
    }
    for first in range(0, size.patients, CHUNK):
        numbers = range(first, min(first + CHUNK, size.patients))
        with transaction.atomic():
            patients = Patient.objects.bulk_create(
                [
                    Patient(
                        owner=user,
                        name=f"Bench patient {n + 1:05d}",
                        sex=rng.choice("FFM"),
                        birth_date=datetime.date(1940 + n % 60, 1 + n % 12, 1 + n % 28),
                    )
                    for n in numbers
                ]
            )
            add_owner_memberships(patients)
            draws, results, infusions, scores = [], [], [], []
            for patient in patients:
                p_draws, p_infusions, p_scores = _history(patient.pk, today, size, rng)
                draws += p_draws
                infusions += p_infusions
                scores += p_scores
            draw_ids = tables["draws"].write([row for row, _ in draws], with_ids=True)
            for draw_id, (_, values) in zip(draw_ids, draws, strict=True):
                for code, value, unit in values:
                    results.append((draw_id, code, value, f"{value:g}", unit, code == "tsat"))
            tables["results"].write(results)
            tables["infusions"].write(infusions)
            tables["scores"].write(scores)
        totals["patients"] += len(patients)
        totals["draws"] += len(draws)
        totals["results"] += len(results)
        totals["infusions"] += len(infusions)
        totals["symptom_scores"] += len(scores)
        elapsed = time.perf_counter() - started
        out(
            f"  seeded {totals['patients']:>6,}/{size.patients:,} patients: "
            f"{totals['draws']:,} draws, {totals['results']:,} results, "
            f"{totals['infusions']:,} infusions, {totals['symptom_scores']:,} symptom scores "
            f"({elapsed:.0f} s)"
        )
    user.last_name = size.signature
    # Pages are cached under (user id, data version, date). A flush starts ids and the
    # version (0) over, so a cache that outlived the old dataset (CACHE_URL naming a shared
    # one) could answer with its pages; a version from the clock has not been used before.
    user.data_version = max(user.data_version + 1, time.time_ns() // 1000)
    user.save(update_fields=["last_name", "data_version"])
    return totals
