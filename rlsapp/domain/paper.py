"""How much of a long history the printed report holds: its tables share two pages.

Each table's rows, newest first, cost what they take on paper in lines of table text (a
reaction of three lines costs three); the tables take turns adding their next row while the
rows together stay within the budget, so one long table cannot push the others onto a third
page. A table cut short costs one line more: the line that says how many rows are left out
and where they are. Pure: the printed report (charts/printed.py) gives the costs.
"""

import textwrap
from dataclasses import dataclass

# A row's padding and rule below it, in lines of table text.
ROW_EDGE = 0.25


def lines(text, per_line) -> int:
    """Lines `text` takes wrapped at words in a column `per_line` characters wide."""
    text = str(text or "").strip()
    if not text:
        return 1
    return max(1, len(textwrap.wrap(text, max(1, per_line), break_long_words=True)))


def row_cost(*column_lines) -> float:
    """A table row's height: its tallest cell plus the row's edge."""
    return max([1, *column_lines]) + ROW_EDGE


@dataclass(frozen=True)
class Table:
    name: str
    costs: tuple  # each row's lines, newest first
    least: int = 0  # the newest rows shown whatever the budget
    most: int | None = None
    turn: int = 1  # rows added at each turn
    said: float = 1  # the 'N earlier … not shown' line, when rows are left out

    @property
    def cap(self) -> int:
        return len(self.costs) if self.most is None else min(self.most, len(self.costs))


def _used(tables, shown) -> float:
    total = 0.0
    for table in tables:
        total += sum(table.costs[: shown[table.name]])
        if shown[table.name] < len(table.costs):
            total += table.said
    return total


def fit(tables, budget) -> dict:
    """{table name: rows shown}: each table's newest rows, up to its `most`, at least its
    `least`, taking turns in the order given while the total stays within `budget` lines."""
    shown = {t.name: min(t.least, t.cap) for t in tables}
    growing = [t for t in tables if shown[t.name] < t.cap]
    while growing:
        still = []
        for table in growing:
            took = 0
            while took < table.turn and shown[table.name] < table.cap:
                shown[table.name] += 1
                if _used(tables, shown) > budget + 1e-9:
                    shown[table.name] -= 1
                    break
                took += 1
            if took == table.turn and shown[table.name] < table.cap:
                still.append(table)
        growing = still
    return shown
