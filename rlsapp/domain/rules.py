"""Rules every way of entering a record shares: the form, the importer and the services.

- Dates: no future dates, nothing before EARLIEST_DATE (a typo from another century).
- Transferrin saturation: calculated from serum iron and TIBC when the lab printed none.
- Why a draw is left out of the decline fits: the reasons the form, the files and the
  chart name.
"""

import datetime

from . import units

EARLIEST_DATE = datetime.date(1950, 1, 1)


def iso_date(value: datetime.date) -> str:
    return f"{value:%Y-%m-%d}"


def date_problem(value: datetime.date, today: datetime.date, write=iso_date) -> str | None:
    """Why a record's date cannot be right, naming the accepted range; None when it can.

    `write` writes a date (a region's DateStyle.format): a form says the range as the
    person types dates, a file's message as ISO."""
    if value > today:
        return (
            f"cannot be in the future: enter a date from {write(EARLIEST_DATE)} "
            f"to today ({write(today)})"
        )
    if value < EARLIEST_DATE:
        return f"must be from {write(EARLIEST_DATE)} to today ({write(today)})"
    return None


class TsatOutOfRange(ValueError):
    """Iron and TIBC give a saturation no lab could print: one of them is wrong."""


def calculated_tsat(measurements: dict) -> units.Measurement | None:
    """TSAT from exact iron and TIBC when the draw has no TSAT of its own, else None.

    `measurements` maps analyte codes to units.Measurement. Raises TsatOutOfRange when
    the two give a saturation outside the analyte's accepted range.
    """
    iron, tibc = measurements.get("iron"), measurements.get("tibc")
    if "tsat" in measurements or not (iron and tibc):
        return None
    if not (iron.is_exact and tibc.is_exact):
        return None
    value = units.transferrin_saturation(iron.value, tibc.value)
    tsat = units.ANALYTES["tsat"]
    if not tsat.minimum <= value <= tsat.maximum:
        raise TsatOutOfRange(
            f"Iron and TIBC give a transferrin saturation of {value:.0f} %, outside "
            f"{tsat.minimum:g}–{tsat.maximum:g} %: check both values."
        )
    text = units.format_value("tsat", value, precise=True)
    return units.Measurement("tsat", value, "", text, "%")


# Why a draw is left out of the decline fits (issue 12 item 5); the chart draws it hollow.
LEFT_OUT_CHOICES = [
    ("illness", "illness"),
    ("inflammation", "inflammation"),
    ("wrong_lab", "wrong lab"),
    ("other", "other"),
]
LEFT_OUT_NOTE_MAX = 200  # LabDraw.left_out_note's length
_LEFT_OUT_LABELS = dict(LEFT_OUT_CHOICES)


def left_out_by_hand_words(reason: str, note: str) -> str:
    """'left out: illness (flu)' for a draw left out by hand, '' for one that is not."""
    if not reason:
        return ""
    words = f"left out: {_LEFT_OUT_LABELS.get(reason, reason)}"
    return f"{words} ({note})" if note else words


def left_out_reason(text: str) -> str | None:
    """The reason's code from its code or its words in any case ('' for none), or None
    when the text names no reason."""
    key = " ".join(text.replace("_", " ").split()).casefold()
    if not key:
        return ""
    return next(
        (code for code, words in LEFT_OUT_CHOICES if key in (words, code.replace("_", " "))),
        None,
    )
