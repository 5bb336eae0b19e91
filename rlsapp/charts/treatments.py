"""Oral iron courses and RLS medicines on the history chart (issue 17): the rows the one
UNION query brings (queries.py), as bands and dated markers for the chart JSON, and the
oral iron periods whose results are left out of the decline fit (domain/medicines.py)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from rlsapp.domain import medicines

COURSE, MEDICINE, EVENT = "c", "m", "e"


@dataclass
class Treatments:
    courses: list[medicines.Period] = field(default_factory=list)
    # (medicine id, when taken, drug code) and (day, medicine id, event kind)
    medications: list[tuple[int, medicines.Period, str]] = field(default_factory=list)
    events: list[tuple[date, int, str]] = field(default_factory=list)

    def add(self, kind, day, number, code, other, end):
        """One row of the UNION: (day, number, code, other name, kind, end)."""
        if kind == COURSE:
            self.courses.append(medicines.Period(day, end, medicines.iron_label(code, other)))
        elif kind == MEDICINE:
            label = medicines.drug_label(code, other)
            self.medications.append((number, medicines.Period(day, end, label), code))
        elif kind == EVENT:
            self.events.append((day, number, code))


def chart_json(treatments: Treatments) -> dict:
    """The bands and markers, their days as dates (written as ISO text by orjson)."""
    names = {pk: period.label for pk, period, _code in treatments.medications}
    return {
        "courses": [
            {"start": c.start, "end": c.end, "label": f"Oral iron: {c.label}"}
            for c in sorted(treatments.courses, key=lambda c: c.start)
        ],
        "medicines": [
            {
                "start": period.start,
                "end": period.end,
                "label": period.label.split(" (")[0],
                "dopamine_agonist": medicines.is_dopamine_agonist(code),
            }
            for _pk, period, code in sorted(treatments.medications, key=lambda m: m[1].start)
        ],
        "medicine_events": [
            {
                "date": day,
                "kind": kind,
                "label": f"{medicines.EVENT_LABELS.get(kind, kind)}: "
                f"{names.get(pk, '').split(' (')[0]}",
            }
            for day, pk, kind in sorted(treatments.events)
            if kind != medicines.DOSE_CHANGE
        ],
    }


def during(treatments: Treatments, episode) -> list[str]:
    """The oral iron courses overlapping an episode (kinetics.Episode), for its table row."""
    end = episode.end - timedelta(days=1) if episode.end else None
    return [
        c.label
        for c in treatments.courses
        if medicines.overlaps(c.start, c.end, episode.dose.start, end)
    ]
