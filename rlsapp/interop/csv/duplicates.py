"""Two columns of one analyte (two "Ferritin" columns): read one, or let the person choose.

A sheet kept by hand, or joined from two exports, may hold the same analyte twice.
Where the columns agree on every row (the same text and unit) one is read and the other
left out, with a note. Where they differ, rlsapp cannot know which is meant: both are
named by position and letter (B and F), with the rows where they differ, and the
person chooses one in the preview; until then the first is shown and nothing can be
imported. A choice is passed back to parse_csv as {analyte: column index}.
"""

from __future__ import annotations

from rlsapp.domain import units

from ..parsed import ParsedImport
from .headers import Columns
from .text import cell

ROWS_SHOWN = 5  # rows where the columns differ, shown beside the choice


def letter(index: int) -> str:
    """The spreadsheet's name of a column: 0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def settle(cols: Columns, body, chosen: dict[str, int], out: ParsedImport) -> None:
    """Leave one column per analyte in `cols.analytes`; record what the person must choose."""
    groups: dict[str, list] = {}
    for column in cols.analytes:
        groups.setdefault(column.analyte, []).append(column)
    for analyte, columns in groups.items():
        if len(columns) < 2:
            continue
        label = units.ANALYTES[analyte].label
        names = " and ".join(letter(c.index) for c in columns)
        differ = []
        for number, row in body:
            cells = [(cell(row, c.index), cell(row, c.unit_column), c.unit) for c in columns]
            if any(other != cells[0] for other in cells[1:]):
                differ.append(
                    {"row": number, "values": [cell(row, c.index) or "—" for c in columns]}
                )
        keep = next((c for c in columns if c.index == chosen.get(analyte)), None)
        if not differ:
            keep = columns[0]
            out.notes.append(
                f"Columns {names} both hold {label} with the same value in every row: "
                f"read once, from column {letter(keep.index)}."
            )
        elif keep is not None:
            others = ", ".join(letter(c.index) for c in columns if c is not keep)
            out.notes.append(
                f"{label} read from column {letter(keep.index)} ({keep.header}), as you chose; "
                f"column {others} not imported."
            )
        else:
            keep = columns[0]
        if differ:
            out.column_choices.append(
                {
                    "analyte": analyte,
                    "label": label,
                    "columns": [
                        {"index": c.index, "letter": letter(c.index), "header": c.header}
                        for c in columns
                    ],
                    "chosen": chosen.get(analyte) if keep.index == chosen.get(analyte) else None,
                    "differ": differ[:ROWS_SHOWN],
                    "differ_count": len(differ),
                }
            )
        cols.analytes = [c for c in cols.analytes if c.analyte != analyte or c is keep]
