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
    utf16 = _utf16(data)
    if utf16 is not None:
        return utf16
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


UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def _utf16(data: bytes) -> tuple[str, str] | None:
    """(text, note) when the bytes are UTF-16 text, else None.

    Excel's "Unicode text" and some lab exports are UTF-16, tab- or semicolon-separated,
    with a byte order mark. Without one, the pattern of NULs tells it: text in the Latin
    range has a zero high byte in nearly every character and never a zero low byte, so
    one half of the bytes (odd places: little-endian) is mostly zero and the other none.
    """
    encoding = UTF16_BOMS.get(data[:2]) if data[:4] != b"\xff\xfe\x00\x00" else None
    body = data[2:] if encoding else data
    if encoding is None:
        sample = data[:4096]
        even, odd = sample[0::2], sample[1::2]
        if len(sample) < 4:
            return None
        if odd.count(0) >= 0.7 * len(odd) and not even.count(0):
            encoding = "utf-16-le"
        elif even.count(0) >= 0.7 * len(even) and not odd.count(0):
            encoding = "utf-16-be"
        else:
            return None
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        raise ImportRefused(
            "This is UTF-16 text, but it breaks off or holds a character that is not text, "
            "so it cannot be read: in your spreadsheet save it as CSV UTF-8."
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportRefused(
            f"The file holds a NUL character on line {line}, which is not text: remove it, "
            "or save the file again as CSV UTF-8."
        )
    return (
        text,
        "The file is UTF-16 text (as Excel's “Unicode text” saves it); it was read as such.",
    )


DELIMITERS = (",", ";", "\t")


def sniff_delimiter(text: str) -> str:
    """The separator of the first line that has one (parse_csv tries the others when the
    header is not found with it: a lab's title line may hold a comma, or no separator)."""
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


def read_rows(text: str, delimiter: str | None = None) -> list[tuple[int, list[str]]]:
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    read_to = 0  # the last line of the last row read whole
    try:
        for row in reader:
            # Numbered by the line it starts on: a quoted cell with line breaks (a comment)
            # ends the row lines later, where none of its values are.
            rows.append((read_to + 1, row))
            read_to = reader.line_num
            if len(rows) > MAX_RECORDS + PREAMBLE_LINES + 1:
                break  # enough to tell that the file is too long; parse_csv refuses it
    except csv.Error as error:
        opened = _unclosed_quote_line(text, read_to, delimiter)
        if opened is not None:
            raise ImportRefused(
                f"The CSV is malformed near line {opened}: a quote opens there and is never "
                "closed. Check the quotes on that line."
            ) from None
        raise ImportRefused(
            f"The CSV is malformed near line {reader.line_num}: {error}. "
            "Check the quotes on that line."
        ) from None
    return rows


# Inside a quoted field: anything but a quote, and doubled quotes. Each quote is either
# half of a pair or the end, so the pattern matches in one pass.
_QUOTED_TEXT = re.compile(r'[^"]*(?:""[^"]*)*')


def _unclosed_quote_line(text: str, read_to: int, delimiter: str) -> int | None:
    """The line where a quoted field opens that never closes, after the rows read whole.

    The csv module notices only at the end of the file, and names the last line; the
    person needs the line where the quote opens. One pass, as the reader reads fields.
    """
    lines = io.StringIO(text, newline="").readlines()
    opened, field_start = None, True
    starts = (delimiter, "\r", "\n")
    # From quote to quote with str.find, not character by character: a long line without
    # a quote is scanned once per separator tried.
    for number, line in enumerate(lines[read_to:], start=read_to + 1):
        index = 0
        while index < len(line):
            if opened is not None:
                # The quoted field's text, doubled quotes included, up to its closing quote.
                index = _QUOTED_TEXT.match(line, index).end()
                if index < len(line):
                    opened, field_start, index = None, False, index + 1
                continue
            quote = line.find('"', index)
            if quote < 0:
                field_start = line[-1] in starts
                break
            if quote > index:
                field_start = line[quote - 1] in starts
            if field_start:
                opened = number
            else:
                field_start = False  # a quote inside an unquoted field
            index = quote + 1
    return opened
