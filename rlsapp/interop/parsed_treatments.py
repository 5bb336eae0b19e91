"""Oral iron courses and RLS medicines read from a file, before anything is saved (pure).

Part of a ParsedImport (parsed.py), kept in JSON with it until the person confirms.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field


@dataclass
class ParsedCourse:
    rows: list[int]
    product: str
    product_other: str
    elemental_mg: float
    schedule: str
    schedule_other: str
    with_vitamin_c: bool
    started_on: datetime.date
    ended_on: datetime.date | None
    stop_reason: str = ""
    notes: str = ""


@dataclass
class ParsedEvent:
    happened_on: datetime.date
    kind: str
    dose: float | None = None
    note: str = ""


@dataclass
class ParsedMedicine:
    rows: list[int]
    drug: str
    drug_other: str
    dose: float
    dose_unit: str
    started_on: datetime.date
    stopped_on: datetime.date | None
    stop_reason: str = ""
    notes: str = ""
    events: list[ParsedEvent] = field(default_factory=list)


def _iso(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def dump(record: ParsedCourse | ParsedMedicine) -> dict:
    data = {k: _iso(v) for k, v in asdict(record).items()}
    if isinstance(record, ParsedMedicine):
        data["events"] = [{k: _iso(v) for k, v in asdict(e).items()} for e in record.events]
    return data


def load_course(data: dict) -> ParsedCourse:
    return ParsedCourse(
        **{**data, "started_on": _date(data["started_on"]), "ended_on": _date(data["ended_on"])}
    )


def load_medicine(data: dict) -> ParsedMedicine:
    events = [ParsedEvent(**{**e, "happened_on": _date(e["happened_on"])}) for e in data["events"]]
    return ParsedMedicine(
        **{
            **data,
            "started_on": _date(data["started_on"]),
            "stopped_on": _date(data["stopped_on"]),
            "events": events,
        }
    )
