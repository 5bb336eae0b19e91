"""An imported infusion near one already saved: a conflict the person settles (issue 18).

Two sources often record one infusion differently: a spreadsheet says iron dextran on
2023-09-05, the portal's FHIR bundle says ferric carboxymaltose on the same day, or a day
later. Saving both would give two infusions and an empty episode on the chart; dropping
either silently may lose the right one. So an incoming infusion on the date of a saved
one, or up to WINDOW_DAYS from it, that is not the same infusion (same date, product and
dose: a duplicate, skipped) is a conflict. The preview shows the two side by side and
the person keeps the saved one, the incoming one (it replaces the saved one, through
tracking.services), or both. Nothing is imported while a conflict is open.

Remembered by the pair, not by the file: each infusion is named by its key (date,
product, other product name, dose), and a pair is its two keys in sorted order, so the
same pair is met again whichever source is imported next. When the import is
confirmed, each choice made in its preview is stored (InfusionChoice) as the key kept,
or "both"; a later import meeting the pair applies it without asking. Re-importing the
same file therefore never asks again: a kept saved one skips the incoming one again, a
kept incoming one is now saved (a duplicate), and "both" leaves both duplicates.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from rlsapp.domain import products
from rlsapp.tracking.models import Infusion

from .models import InfusionChoice
from .parsed import ParsedInfusion

WINDOW_DAYS = 2
EXISTING, INCOMING, BOTH = "existing", "incoming", "both"
CHOICES = {
    EXISTING: "Keep the saved one",
    INCOMING: "Keep the one from this file (it replaces the saved one)",
    BOTH: "Keep both",
}


def infusion_key(given_on: datetime.date, product: str, other: str, dose_mg: int) -> str:
    return f"{given_on:%Y-%m-%d}|{product}|{other.strip().casefold()}|{dose_mg}"


def pair_key(one: str, two: str) -> str:
    return "||".join(sorted((one, two)))


def _key_of(infusion: ParsedInfusion) -> str:
    return infusion_key(
        infusion.given_on, infusion.product, infusion.product_other, infusion.dose_mg
    )


@dataclass
class InfusionPlan:
    new: list[bool] = field(default_factory=list)
    # per incoming infusion: None, or the conflict with its saved rival (a JSON-ready dict)
    conflicts: list[dict | None] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)  # saved infusions to delete

    @property
    def open_count(self) -> int:
        return sum(1 for c in self.conflicts if c and not c["choice"])


def _saved(row: dict) -> dict:
    return {
        "id": row["pk"],
        "given_on": row["given_on"].isoformat(),
        "key": infusion_key(row["given_on"], row["product"], row["product_other"], row["dose_mg"]),
        "product": products.full_name(row["product"], row["product_other"]),
        "dose_mg": row["dose_mg"],
        "reaction": row["reaction"],
        "notes": row["notes"],
    }


def plan_infusions(patient, incoming: list[ParsedInfusion], chosen: dict) -> InfusionPlan:
    """Which incoming infusions are new, duplicates or in conflict with a saved one.

    `chosen` maps a pair key to the key kept (or "both") as chosen in this preview; the
    choices remembered from earlier imports are read (one query) only when a conflict
    needs them.
    """
    saved = list(
        Infusion.objects.filter(patient=patient).values(
            "pk", "given_on", "product", "product_other", "dose_mg", "reaction", "notes"
        )
    )
    known = {
        infusion_key(s["given_on"], s["product"], s["product_other"], s["dose_mg"]) for s in saved
    }
    by_day = defaultdict(list)  # a file may hold thousands of infusions: no scan per row
    for s in saved:
        by_day[s["given_on"]].append(s)
    window = [datetime.timedelta(days=d) for d in range(-WINDOW_DAYS, WINDOW_DAYS + 1)]
    remembered = None
    plan = InfusionPlan()
    for infusion in incoming:
        key = _key_of(infusion)
        rival = None
        if key not in known:
            near = [
                s
                for offset in window
                for s in by_day.get(infusion.given_on + offset, ())
                if s["pk"] not in plan.replaced
            ]
            near.sort(key=lambda s: (abs((s["given_on"] - infusion.given_on).days), s["pk"]))
            rival = _saved(near[0]) if near else None
        if rival is None:
            plan.new.append(key not in known)
            plan.conflicts.append(None)
            known.add(key)
            continue
        pair = pair_key(key, rival["key"])
        kept = chosen.get(pair)
        from_before = False
        if kept is None:
            if remembered is None:
                remembered = {
                    pair_key(first, second): stored
                    for first, second, stored in InfusionChoice.objects.filter(
                        patient=patient
                    ).values_list("first", "second", "kept")
                }
            kept = remembered.get(pair)
            from_before = kept is not None
        choice = {key: INCOMING, rival["key"]: EXISTING, BOTH: BOTH}.get(kept or "", "")
        plan.conflicts.append(
            {
                "pair": pair,
                "key": key,
                "existing": rival,
                "choice": choice,
                "remembered": from_before,
            }
        )
        plan.new.append(choice in (INCOMING, BOTH))
        if choice == INCOMING:
            plan.replaced.append(rival["id"])
        if plan.new[-1]:
            known.add(key)
    return plan


def kept_key(conflict: dict, choice: str) -> str:
    """What InfusionChoice.kept and the payload store for a choice of EXISTING/INCOMING/BOTH."""
    return {EXISTING: conflict["existing"]["key"], INCOMING: conflict["key"], BOTH: BOTH}[choice]


def remember(patient, conflicts: list[dict | None]) -> None:
    """Store the choices made in this preview (not those applied from before)."""
    for conflict in conflicts:
        if not conflict or not conflict["choice"] or conflict["remembered"]:
            continue
        first, second = sorted((conflict["key"], conflict["existing"]["key"]))
        InfusionChoice.objects.update_or_create(
            patient=patient,
            first=first,
            second=second,
            defaults={"kept": kept_key(conflict, conflict["choice"])},
        )


def choices_from_post(post, conflicts: list[dict | None]) -> tuple[dict, list[str]]:
    """The pair -> kept choices a preview's conflict form sent, and what was left open."""
    chosen, missing = {}, []
    for index, conflict in enumerate(conflicts):
        if not conflict or conflict["remembered"]:
            continue
        choice = post.get(f"conflict-{index}", "")
        if choice in CHOICES:
            chosen[conflict["pair"]] = kept_key(conflict, choice)
        else:
            missing.append(conflict["existing"]["given_on"])
    return chosen, missing


def preview_rows(payload: dict) -> list[dict]:
    """The conflicts as the preview lists them, each incoming beside its saved rival."""
    rows = []
    conflicts = payload["plan"].get("infusion_conflicts") or []
    for index, (infusion, conflict) in enumerate(
        zip(payload["infusions"], conflicts, strict=False)
    ):
        if not conflict:
            continue
        rows.append(
            {
                "field": f"conflict-{index}",
                "choice": conflict["choice"],
                "remembered": conflict["remembered"],
                "existing": conflict["existing"],
                "incoming": {
                    "rows": infusion["rows"],
                    "given_on": infusion["given_on"],
                    "product": products.full_name(infusion["product"], infusion["product_other"]),
                    "dose_mg": infusion["dose_mg"],
                    "reaction": infusion["reaction"],
                    "notes": infusion["notes"],
                },
            }
        )
    return rows


def preview_context(payload: dict) -> dict:
    """What the preview's conflict section and its import button need."""
    found = [c for c in payload["plan"].get("infusion_conflicts") or [] if c]
    return {
        "conflicts": preview_rows(payload),
        "open_conflicts": sum(1 for c in found if not c["choice"]),
        "choices_to_keep": sum(1 for c in found if c["choice"] and not c["remembered"]),
        "conflict_choices": CHOICES,
        "window_days": WINDOW_DAYS,
    }


STATUS = {"": "conflict", EXISTING: "kept saved", INCOMING: "replaces saved", BOTH: "new"}


def status(conflict: dict | None, new: bool) -> str:
    """The status of an incoming infusion in the preview's list."""
    if conflict is None:
        return "new" if new else "duplicate"
    return STATUS[conflict["choice"]]
