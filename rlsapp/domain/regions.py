"""Regions: how a country writes numbers and dates, and which unit its labs print.

Pure: no Django imports. From shared/domain.md ("Regional conventions"): one region
per account sets the number format (read with Babel's CLDR data for its locale), the
date format and the default unit of each analyte. "intl" is what rlsapp showed before
regions existed (decimal point, no grouping, ISO dates, the units the form offered),
so an install can give it to existing accounts and nothing they see changes.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from . import units

EXAMPLE_DATE = datetime.date(2025, 12, 31)  # day above 12: the example shows the order


@dataclass(frozen=True)
class DateStyle:
    order: str  # "mdy", "dmy" or "ymd"
    separator: str
    padded: bool  # 03.04.2025 rather than 3.4.2025 when shown

    @property
    def pattern(self) -> str:
        """'dd.mm.yyyy', 'm/d/yyyy', 'yyyy-mm-dd': what a person is asked to type."""
        day, month = ("dd", "mm") if self.padded else ("d", "m")
        parts = {"d": day, "m": month, "y": "yyyy"}
        return self.separator.join(parts[c] for c in self.order)

    def format(self, value: datetime.date) -> str:
        width = 2 if self.padded else 1
        parts = {
            "d": f"{value.day:0{width}d}",
            "m": f"{value.month:0{width}d}",
            "y": f"{value.year:04d}",
        }
        return self.separator.join(parts[c] for c in self.order)

    @property
    def example(self) -> str:
        return self.format(EXAMPLE_DATE)


MDY_SLASH = DateStyle("mdy", "/", padded=False)
DMY_SLASH = DateStyle("dmy", "/", padded=True)
DMY_DOT = DateStyle("dmy", ".", padded=True)
DMY_DOT_SHORT = DateStyle("dmy", ".", padded=False)
DMY_DASH = DateStyle("dmy", "-", padded=True)
ISO = DateStyle("ymd", "-", padded=True)


# Default units per row of domain.md's table; hematocrit and TSAT are not in the table:
# labs outside the US mostly print hematocrit as a fraction (L/L), TSAT in % everywhere.
_US = {"ferritin": "ng/mL", "hemoglobin": "g/dL", "hematocrit": "%", "iron": "µg/dL"}
_US |= {"tibc": "µg/dL", "phosphate": "mg/dL", "tsat": "%"}
_UK = {"ferritin": "µg/L", "hemoglobin": "g/L", "hematocrit": "L/L", "iron": "µmol/L"}
_UK |= {"tibc": "µmol/L", "phosphate": "mmol/L", "tsat": "%"}
_DACH = _UK | {"hemoglobin": "g/dL", "hematocrit": "%"}
_NL = _UK | {"hemoglobin": "mmol/L"}
_INTL = {code: analyte.display_unit for code, analyte in units.ANALYTES.items()}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    adjective: str  # "the German format"
    locale: str  # Babel (CLDR) locale whose number symbols the region uses
    dates: DateStyle
    units: dict[str, str]  # analyte -> the unit its labs usually print
    table_row: str  # the row of shared/domain.md's table it belongs to
    grouping: bool = True  # show thousands separators (1,050.5)

    def default_unit(self, analyte_code: str) -> str:
        return self.units.get(analyte_code) or units.ANALYTES[analyte_code].display_unit


# The regions of each row of shared/domain.md's table, with the units of that row:
# (code, name, adjective, CLDR locale, date style).
_TABLE = [
    ("United States", _US, [("US", "United States", "US", "en_US", MDY_SLASH)]),
    (
        "United Kingdom, Ireland",
        _UK,
        [
            ("GB", "United Kingdom", "UK", "en_GB", DMY_SLASH),
            ("IE", "Ireland", "Irish", "en_IE", DMY_SLASH),
        ],
    ),
    (
        "Germany, Austria, Switzerland",
        _DACH,
        [
            ("DE", "Germany", "German", "de_DE", DMY_DOT),
            ("AT", "Austria", "Austrian", "de_AT", DMY_DOT),
            # Swiss numbers are 1'050.5 (CLDR de_CH), not the German 1.050,5
            ("CH", "Switzerland", "Swiss", "de_CH", DMY_DOT),
        ],
    ),
    ("Netherlands", _NL, [("NL", "Netherlands", "Dutch", "nl_NL", DMY_DASH)]),
    (
        "Nordics, Canada, Australia",
        _UK,
        [
            ("SE", "Sweden", "Swedish", "sv_SE", ISO),
            ("NO", "Norway", "Norwegian", "nb_NO", DMY_DOT),
            ("DK", "Denmark", "Danish", "da_DK", DMY_DOT),
            ("FI", "Finland", "Finnish", "fi_FI", DMY_DOT_SHORT),
            ("CA", "Canada (English)", "Canadian", "en_CA", ISO),
            ("CA-fr", "Canada (français)", "French Canadian", "fr_CA", ISO),
            ("AU", "Australia", "Australian", "en_AU", DMY_SLASH),
            ("NZ", "New Zealand", "New Zealand", "en_NZ", DMY_SLASH),
        ],
    ),
]
# "intl" first: what rlsapp showed before regions existed, with no thousands separator.
_INTL_REGION = Region("intl", "International", "international", "en_US", ISO, _INTL, "none", False)
REGIONS: dict[str, Region] = {_INTL_REGION.code: _INTL_REGION} | {
    row[0]: Region(*row, table_units, table_row)
    for table_row, table_units, rows in _TABLE
    for row in rows
}
REGION_CHOICES = [(r.code, r.name) for r in REGIONS.values()]
FALLBACK_REGION = "intl"

# A browser language without a country: the region most of its speakers are in.
# English has none: en alone says nothing about m/d or d/m.
_LANGUAGE_DEFAULTS = {
    "de": "DE",
    "nl": "NL",
    "sv": "SE",
    "nb": "NO",
    "nn": "NO",
    "no": "NO",
    "da": "DK",
    "fi": "FI",
}
_TAG = re.compile(r"^([a-z]{2,3})(?:-([a-z]{4}))?(?:-([a-z]{2}|\d{3}))?(?:-.*)?$")


def get(code: str | None) -> Region:
    """The region of `code`; the fallback region for an unknown or empty code."""
    return REGIONS.get(code or "") or REGIONS[FALLBACK_REGION]


def region_for_tag(tag: str) -> str | None:
    """'de-AT' -> 'AT'; 'en-US' -> 'US'; 'fr-CA' -> 'CA-fr'; 'de' -> 'DE'; 'en' -> None."""
    match = _TAG.match(tag.strip().lower().replace("_", "-"))
    if not match:
        return None
    language, country = match.group(1), (match.group(3) or "").upper()
    for region in REGIONS.values():
        if (
            region.code != FALLBACK_REGION
            and region.locale.lower() == f"{language}_{country}".lower()
        ):
            return region.code
    default = _LANGUAGE_DEFAULTS.get(language)
    # 'no-NO' is nb_NO; 'de-LU' or 'sv-FI' name a country whose conventions are not known here
    if not country or default == country:
        return default
    return None


def suggest_region(accept_language: str | None, default: str = FALLBACK_REGION) -> str:
    """The region a browser's Accept-Language header suggests, best-liked language first."""
    weighted = []
    for position, item in enumerate((accept_language or "")[:1000].split(",")):
        tag, _, params = item.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, number = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(number)
                except ValueError:
                    quality = 0.0
        if tag.strip() and 0 < quality <= 1:
            weighted.append((-quality, position, tag.strip()))
    for _, _, tag in sorted(weighted):
        code = region_for_tag(tag)
        if code:
            return code
    return default if default in REGIONS else FALLBACK_REGION
