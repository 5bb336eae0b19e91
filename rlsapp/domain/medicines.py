"""Oral iron courses and RLS medicines: names, codes, plausible doses and the rules on them
(shared/domain.md "Oral iron and RLS medicines"). Pure: no Django.

The dose limits are typo catchers (a salt weight typed for elemental iron, µg for mg, an
extra zero), set at or beyond the highest dose the named source gives for any use of the
drug; they are not dosing guidance. Everything shown from here is a note from the
guidelines, never advice.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from . import formats, rules
from .products import coded_label

RXNORM_SYSTEM = "http://www.nlm.nih.gov/research/umls/rxnorm"

# Oral iron ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IronProduct:
    code: str
    label: str


IRON_PRODUCTS = {
    p.code: p
    for p in [
        IronProduct("ferrous_sulfate", "Ferrous sulfate"),
        IronProduct("ferrous_gluconate", "Ferrous gluconate"),
        IronProduct("ferrous_fumarate", "Ferrous fumarate"),
        IronProduct("ferrous_bisglycinate", "Ferrous bisglycinate"),
        IronProduct("other", "Other"),
    ]
}
IRON_PRODUCT_CHOICES = [(p.code, p.label) for p in IRON_PRODUCTS.values()]

SCHEDULES = {"daily": "Daily", "alternate": "Every other day", "other": "Other"}
SCHEDULE_CHOICES = list(SCHEDULES.items())

# Elemental iron per dose, mg. The Mayo algorithm's example (Silber et al., Mayo Clin Proc
# 2021) is ferrous sulfate 325 mg = 65 mg elemental. Below 5 mg or above 400 mg the number
# is almost certainly in the wrong unit or the salt's weight; the form says so.
ELEMENTAL_MIN_MG = 5
ELEMENTAL_MAX_MG = 400
ELEMENTAL_SOURCE = (
    "ferrous sulfate 325 mg holds 65 mg elemental iron (Silber et al., Mayo Clin Proc 2021)"
)


def iron_label(code: str, other_name: str = "") -> str:
    return coded_label(IRON_PRODUCTS, code, other_name)


def elemental_problem(mg: float) -> str | None:
    if not ELEMENTAL_MIN_MG <= mg <= ELEMENTAL_MAX_MG:
        return (
            f"{mg:g} mg read; enter the elemental iron per dose, from {ELEMENTAL_MIN_MG} to "
            f"{ELEMENTAL_MAX_MG} mg (not the salt's weight: {ELEMENTAL_SOURCE})"
        )
    return None


# The weight of one tablet of a salt, as printed on the box, and the elemental iron it
# holds, where shared/domain.md gives both. A dose typed equal to that weight is most
# likely the tablet's weight, not its iron: the form asks, and an import lists it to check.
SALT_TABLETS = {"ferrous_sulfate": (325, 65)}


@dataclass(frozen=True)
class SaltWeight:
    """A typed dose that is the weight of a tablet of the product's salt."""

    code: str  # the product's code
    typed: float  # mg, as typed for elemental iron
    elemental: float  # mg of iron one such tablet holds
    product: str  # the product's label

    @property
    def words(self) -> str:
        return (
            f"{self.typed:g} mg is the weight of a {self.product.lower()} tablet; it holds "
            f"{self.elemental:g} mg of iron."
        )

    @property
    def save_words(self) -> str:
        return f"Save {self.elemental:g} mg"

    @property
    def keep_words(self) -> str:
        return f"Keep {self.typed:g} mg as elemental iron"


def salt_weight(code: str, mg: float | None) -> SaltWeight | None:
    """The question to ask when `mg`, typed as the elemental iron per dose of product
    `code`, equals the weight of one tablet of its salt (SALT_TABLETS); None otherwise. The
    number is never changed without an answer."""
    tablet = SALT_TABLETS.get(code)
    if tablet is None or mg is None or mg != tablet[0]:
        return None
    return SaltWeight(code, float(tablet[0]), float(tablet[1]), iron_label(code))


# RLS medicines ------------------------------------------------------------------------

DOPAMINE_AGONIST = "dopamine_agonist"
ALPHA2DELTA = "alpha2delta"
OPIOID = "opioid"
LEVODOPA = "levodopa"
OTHER_CLASS = "other"
CLASS_LABELS = {
    DOPAMINE_AGONIST: "Dopamine agonist",
    ALPHA2DELTA: "Alpha-2-delta ligand",
    OPIOID: "Opioid",
    LEVODOPA: "Levodopa",
    OTHER_CLASS: "Other",
}

MG, UG, MG_PER_24H = "mg", "ug", "mg/24h"
UNIT_LABELS = {MG: "mg per day", UG: "µg per day", MG_PER_24H: "mg/24 h (patch)"}
UNIT_CHOICES = list(UNIT_LABELS.items())
UCUM = {MG: "mg", UG: "ug", MG_PER_24H: "mg/(24.h)"}
UNIT_FROM_UCUM = {v: k for k, v in UCUM.items()}


@dataclass(frozen=True)
class Drug:
    code: str
    label: str
    drug_class: str
    unit: str  # the unit its limits are in (a µg dose of a mg drug is converted)
    low: float  # plausible total daily dose, typo limits
    high: float
    source: str
    rxnorm: str = ""  # RxNorm ingredient code, where checked


DRUGS = {
    d.code: d
    for d in [
        Drug("pramipexole", "Pramipexole (Mirapex)", DOPAMINE_AGONIST, MG, 0.0625, 4.5,
             "US label: RLS 0.125–0.5 mg/day; Parkinson's disease up to 4.5 mg/day"),
        Drug("ropinirole", "Ropinirole (Requip)", DOPAMINE_AGONIST, MG, 0.25, 24,
             "US label: RLS 0.25–4 mg/day; Parkinson's disease up to 24 mg/day"),
        Drug("rotigotine", "Rotigotine patch (Neupro)", DOPAMINE_AGONIST, MG_PER_24H, 1, 8,
             "US label: RLS 1–3 mg/24 h; Parkinson's disease up to 8 mg/24 h"),
        Drug("levodopa", "Levodopa", LEVODOPA, MG, 25, 2000,
             "typo limits only: RLS doses are far below Parkinson's disease doses"),
        Drug("gabapentin_enacarbil", "Gabapentin enacarbil (Horizant)", ALPHA2DELTA, MG, 300,
             1200, "US label: RLS 600 mg/day; 1200 mg/day studied"),
        Drug("gabapentin", "Gabapentin (Neurontin)", ALPHA2DELTA, MG, 100, 3600,
             "US label: up to 3600 mg/day", "25480"),
        Drug("pregabalin", "Pregabalin (Lyrica)", ALPHA2DELTA, MG, 25, 600,
             "US label: up to 600 mg/day", "187832"),
        Drug("oxycodone", "Oxycodone (or oxycodone/naloxone)", OPIOID, MG, 2.5, 160,
             "typo limits only", "7804"),
        Drug("methadone", "Methadone", OPIOID, MG, 1, 120, "typo limits only", "6813"),
        Drug("tramadol", "Tramadol", OPIOID, MG, 25, 400, "US label: up to 400 mg/day",
             "10689"),
        Drug("other", "Other", OTHER_CLASS, MG, 0, 0, ""),
    ]
}  # fmt: skip
DRUG_CHOICES = [(d.code, d.label) for d in DRUGS.values()]
# Any dose of an "other" medicine must at least be a positive number below this.
OTHER_MAX = 100_000


def drug_label(code: str, other_name: str = "") -> str:
    return coded_label(DRUGS, code, other_name)


def is_dopamine_agonist(code: str) -> bool:
    drug = DRUGS.get(code)
    return drug is not None and drug.drug_class in (DOPAMINE_AGONIST, LEVODOPA)


def format_dose(dose: float, unit: str, region=None) -> str:
    """'0.125 mg/day'; written the region's way ('0,125 mg/day') when one is given."""
    shown = {MG: "mg/day", UG: "µg/day", MG_PER_24H: "mg/24 h"}.get(unit, unit)
    if region is not None:
        return f"{formats.format_decimal(dose, region, None, grouping=False)} {shown}"
    return f"{dose:g} {shown}"


def dose_problem(code: str, dose: float, unit: str) -> str | None:
    """Why a total daily dose cannot be right for this drug, naming what is accepted."""
    drug = DRUGS.get(code)
    if drug is None:
        return f"unknown medicine {code!r}"
    if unit not in UNIT_LABELS:
        return f"unknown unit {unit!r}: use {', '.join(UNIT_LABELS.values())}"
    if drug.code == "other":
        if not 0 < dose <= OTHER_MAX:
            return f"{dose:g} read; enter a positive number up to {OTHER_MAX:,}"
        return None
    if (drug.unit == MG_PER_24H) != (unit == MG_PER_24H):
        return f"{drug.label} is entered in {UNIT_LABELS[drug.unit]}"
    in_drug_unit = dose / 1000 if unit == UG else dose
    if not drug.low <= in_drug_unit <= drug.high:
        return (
            f"{format_dose(dose, unit)} read; accepted for {drug.label}: "
            f"{drug.low:g}–{drug.high:g} {UNIT_LABELS[drug.unit]} ({drug.source})"
        )
    return None


DOSE_CHANGE, AUGMENTATION, SIDE_EFFECT, OTHER_EVENT = (
    "dose_change",
    "augmentation",
    "side_effect",
    "other",
)
EVENT_LABELS = {
    DOSE_CHANGE: "Dose changed",
    AUGMENTATION: "Augmentation",
    SIDE_EFFECT: "Side effect",
    OTHER_EVENT: "Other event",
}
EVENT_CHOICES = list(EVENT_LABELS.items())


# Dates ----------------------------------------------------------------------------------


def period_problems(
    start: datetime.date | None,
    end: datetime.date | None,
    today: datetime.date,
    write=rules.iso_date,
) -> dict[str, str]:
    """Problems with a start and an optional end date, by which of the two is wrong.
    `write` writes a date (rules.date_problem's: a form's in the person's format)."""
    problems = {}
    if start is not None and (problem := rules.date_problem(start, today, write)):
        problems["start"] = f"Start date {problem}."
    if end is not None and (problem := rules.date_problem(end, today, write)):
        problems["end"] = f"End date {problem}."
    if start and end and end < start and not problems:
        problems["end"] = (
            f"End date {write(end)} is before the start date {write(start)}: "
            "enter an end on or after the start, or leave it blank if still taken."
        )
    return problems


def overlaps(
    start: datetime.date,
    end: datetime.date | None,
    other_start: datetime.date,
    other_end: datetime.date | None,
) -> bool:
    """Whether two periods share a day (an open end runs on)."""
    return (other_end is None or start <= other_end) and (end is None or other_start <= end)


def event_problem(
    day: datetime.date, start: datetime.date, stop: datetime.date | None, write=rules.iso_date
) -> str | None:
    if day < start or (stop is not None and day > stop):
        until = write(stop) if stop else "today"
        return (
            f"{write(day)} is outside the time the medicine was taken: "
            f"enter a date from {write(start)} to {until}."
        )
    return None


# Notes from the guidelines ------------------------------------------------------------

TSAT_NO_IRON_LEVEL = 45
TSAT_NOTE = (
    "Note from the guidelines, not advice: IRLSSG (2018) and AASM (2024) do not give iron "
    "when transferrin saturation is 45 % or higher."
)
AUGMENTATION_NOTE = (
    "Note from the guidelines, not advice: AASM (2024) suggests against the standard use of "
    "dopamine agonists and levodopa in RLS because of augmentation."
)


def tsat_note(tsat_percent: float | None) -> str | None:
    if tsat_percent is not None and tsat_percent >= TSAT_NO_IRON_LEVEL:
        return TSAT_NOTE
    return None


# Oral iron and the decline fit ----------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date | None  # None: still taken
    label: str = ""

    def holds(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def course_on(day: datetime.date, periods: Iterable[Period]) -> Period | None:
    """The oral iron course taken on that day, if any: the one rule for which results an
    oral iron course leaves out (here and in tracking.fit_inputs, with its words)."""
    return next((c for c in periods if c.holds(day)), None)


def leave_out_during(points: Iterable, periods: Iterable[Period]) -> list:
    """The points (kinetics.Point) with those taken during an oral iron course marked
    `excluded`: ferritin rises during a course, so they are not part of a decline."""
    periods = list(periods)
    return [
        dataclasses.replace(p, excluded=True) if not p.excluded and course_on(p.day, periods) else p
        for p in points
    ]


# Names read from files ----------------------------------------------------------------


def _name_key(name: str) -> str:
    return " ".join(name.casefold().replace("(", " ").replace(")", " ").split())


_IRON_BY_NAME = {
    _name_key(spelling): p.code
    for p in IRON_PRODUCTS.values()
    if p.code != "other"
    # British English writes sulphate.
    for spelling in (p.label, p.label.replace("sulfate", "sulphate"))
}


def _drug_names(drug: Drug) -> set[str]:
    """What a file may call a listed medicine: its label, the label without the brand, the
    drug itself ('Rotigotine' for 'Rotigotine patch (Neupro)'), the brand ('Mirapex') or
    the other form a label names ('oxycodone/naloxone' of '(or oxycodone/naloxone)')."""
    main, _, aside = drug.label.partition(" (")
    names = {drug.label, main, drug.code.replace("_", " ")}
    if aside:
        names.add(aside.rstrip(")").removeprefix("or "))
    return {_name_key(name) for name in names}


_DRUG_BY_NAME = {
    name: drug.code for drug in DRUGS.values() if drug.code != "other" for name in _drug_names(drug)
}
_DRUG_BY_RXNORM = {d.rxnorm: d.code for d in DRUGS.values() if d.rxnorm}
_SCHEDULE_BY_NAME = {_name_key(label): code for code, label in SCHEDULES.items() if code != "other"}
_EVENT_BY_NAME = {_name_key(label): code for code, label in EVENT_LABELS.items()}
_UNIT_NAMES = {
    MG: ("mg", "mg per day", "mg/day"),
    UG: ("ug", "µg", "mcg", "µg per day", "µg/day"),
    MG_PER_24H: ("mg/24h", "mg/24 h", "mg/(24.h)", "mg/24 h (patch)"),
}
_UNIT_BY_NAME = {_name_key(name): code for code, names in _UNIT_NAMES.items() for name in names}


def iron_code_for(name: str) -> str | None:
    """'ferrous_sulfate' for 'Ferrous sulfate' (any case); None for a name not listed."""
    return _IRON_BY_NAME.get(_name_key(name))


def drug_code_for(name: str = "", rxnorm: str = "") -> str | None:
    """The listed medicine for a name ('Pramipexole', 'Pramipexole (Mirapex)') or an RxNorm
    ingredient code; None when neither is listed."""
    return _DRUG_BY_RXNORM.get(rxnorm) or _DRUG_BY_NAME.get(_name_key(name))


def schedule_code_for(name: str) -> str | None:
    return _SCHEDULE_BY_NAME.get(_name_key(name))


def event_code_for(name: str) -> str | None:
    return _EVENT_BY_NAME.get(_name_key(name))


def unit_code_for(name: str) -> str | None:
    return _UNIT_BY_NAME.get(_name_key(name))
