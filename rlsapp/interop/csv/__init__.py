"""Read lab results, infusions and symptom scores from CSV files people really have.

Pure: no Django imports. Split by concern:
- text.py: bytes to numbered rows (encoding, separator, quotes, blank cells);
- headers.py: the header vocabulary and which column holds what;
- columns.py: one class per imported field (what a cell may hold, the limits);
- readers.py: one reader per kind of record (lab draws, infusions, symptom scores);
- parse.py: `parse_csv`, the file as a whole and each row through the readers.
"""

from .columns import (
    DOSE_RANGE_MG,
    MAX_ENTERED_VALUE,
    MAX_NOTE,
    MAX_TEXT,
)
from .headers import ROLE_HEADERS, Columns, map_columns
from .parse import parse_csv
from .text import FORMULA_PREFIXES, decode, sniff_delimiter, unneutralise

__all__ = [
    "DOSE_RANGE_MG",
    "FORMULA_PREFIXES",
    "MAX_ENTERED_VALUE",
    "MAX_NOTE",
    "MAX_TEXT",
    "ROLE_HEADERS",
    "Columns",
    "decode",
    "map_columns",
    "parse_csv",
    "sniff_delimiter",
    "unneutralise",
]
