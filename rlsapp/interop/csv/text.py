"""From the uploaded bytes to numbered rows of cells (pure: no Django imports).

The text is decoded (refusing what is no text file), the separator sniffed from the
first line that has one, and the rows read with the line each starts on. `cell` is how
every reader sees a cell: stripped, formula quotes undone, blank markers empty.
"""

from __future__ import annotations

import csv
import io
import re

from ..parsed import MAX_RECORDS, ImportRefused

PREAMBLE_LINES = 20  # lab reports may put a few lines of letterhead before the header

BLANK_CELLS = {"", "-", "–", "—", ".", "n/a", "na", "nd", "n.d.", "not done", "none", "null"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Inside a field, where a spreadsheet splitting on another separator (Excel in German,
# French or Dutch splits on ";") starts a new cell: the export puts a quote after such a
# separator when a formula would follow, and the reader takes it away again.
NEUTRALISED_INSIDE = re.compile(r"([;,\t\r\n])'(?=[ ]*[=+\-@])")


def decode(data: bytes) -> tuple[str, str]:
    """(text, note) from the uploaded bytes; refuses what is no text file."""
    if not data or not data.strip():
        raise ImportRefused("The file is empty.")
    if data[:4] == b"PK\x03\x04":
        raise ImportRefused(
            "This is an Excel workbook or another zip file, not CSV: in your spreadsheet "
            "choose Save as / Download as CSV, then upload that file."
        )
    if data[:5] == b"%PDF-" or b"\x00" in data[:4096]:
        raise ImportRefused("This is not a CSV text file (it holds binary data).")
    if b"\x00" in data:
        # A database cannot store it (PostgreSQL refuses any text holding one).
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ImportRefused(
            f"The file holds a NUL character (a zero byte) on line {line}, which is not "
            "text: remove it, or save the file again as CSV UTF-8."
        )
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    # Older Excel versions on Windows save CSV in Windows-1252.
    try:
        return data.decode("cp1252"), "The file is not UTF-8; it was read as Windows-1252."
    except UnicodeDecodeError:
        raise ImportRefused("The file is not UTF-8 text: save it as CSV UTF-8.") from None


def sniff_delimiter(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            counts = {d: line.count(d) for d in (";", ",", "\t")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def unneutralise(cell: str) -> str:
    """Undo the quotes rlsapp's export puts before what would start like a formula."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_PREFIXES:
        cell = cell[1:]
    return NEUTRALISED_INSIDE.sub(r"\1", cell) if "'" in cell else cell


def cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    text = unneutralise(row[index].strip())
    return "" if text.lower() in BLANK_CELLS else text


def read_rows(text: str) -> list[tuple[int, list[str]]]:
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
            if len(rows) > MAX_RECORDS + PREAMBLE_LINES + 1:
                break  # enough to tell that the file is too long; parse_csv refuses it
    except csv.Error as error:
        raise ImportRefused(
            f"The CSV is malformed near line {reader.line_num}: {error}. "
            "Check the quotes on that line."
        ) from None
    return rows
