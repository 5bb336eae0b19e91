"""Results saved before regions whose text as entered reads differently now (issue 11 item 11).

Before regions every comma was a decimal point: "1,050" was saved as 1.05. Nothing here
changes a value by itself: the owner is shown each such result with its readings and
says which one the report has; the choice goes through services.save_draw, so it is in
the change history like any edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from rlsapp.domain import entry, formats, units
from rlsapp.domain.regions import Region

from . import services
from .models import LabDraw, LabResult

LIMIT = 200  # listed at once; fixing some brings the next ones up


@dataclass
class ToCheck:
    result: LabResult
    readings: tuple[float, ...]  # stored-unit values the text has under the region's rules


def results_to_check(owner_filter: dict, region_of, limit: int | None = LIMIT) -> list[ToCheck]:
    """Typed results (not calculated) whose text reads differently under their owner's region.

    `owner_filter` narrows LabResult by its draw's patient's owner; `region_of(owner_id)`
    gives the region to read by.
    """
    found = []
    results = (
        LabResult.objects.filter(calculated=False, **owner_filter)
        .select_related("draw__patient")
        .order_by("draw__patient__name", "draw__drawn_on", "pk")
    )
    for result in results.iterator(chunk_size=1000):
        region = region_of(result.draw.patient.owner_id)
        again = entry.reread(
            result.analyte, result.entered_value, result.entered_unit, result.value, region
        )
        if again is not None:
            found.append(ToCheck(result, again.readings))
            if limit and len(found) >= limit:
                break
    return found


def shown(value: float, analyte_code: str, region: Region) -> str:
    analyte = units.ANALYTES[analyte_code]
    number = formats.format_decimal(value, region, 3, grouping=False)  # 1,050 would look typed
    return f"{number} {analyte.display_unit}"


def settle(result: LabResult, value: float, region: Region) -> None:
    """Save `value` (stored unit) for the result, its text rewritten the region's way so
    that it reads as that value from now on; the draw's other results stay as they are."""
    factor = units.ANALYTES[result.analyte].units[result.entered_unit]
    text = formats.format_decimal(value / factor, region, 6, grouping=False)
    draw: LabDraw = result.draw
    measurements = {
        r.analyte: units.Measurement(
            r.analyte, r.value, r.comparator, r.entered_value, r.entered_unit
        )
        for r in draw.results.all()
        if not r.calculated
    }
    measurements[result.analyte] = units.Measurement(
        result.analyte, value, result.comparator, result.comparator + text, result.entered_unit
    )
    services.save_draw(draw, measurements)
