"""How people and labs name analytes, units and iron products (pure: no Django imports).

rlsapp.domain.units holds the analytes and the units it accepts; this module maps the
many spellings found in spreadsheets, portal exports and FHIR files onto them.
"""

from __future__ import annotations

import re

from rlsapp.domain import products, units

# Spellings of each analyte in headers and test-name cells, already normalised
# by `normalise_name` (lower case, µ as u, punctuation as spaces).
ANALYTE_ALIASES: dict[str, tuple[str, ...]] = {
    "ferritin": (
        "ferritin",
        "serum ferritin",
        "s ferritin",
        "p ferritin",
        "ferritine",
        "ferritina",
        "ferr",
        "ferritin serum",
        "ferritin ser pl",
        "ferritin mass volume in serum or plasma",
        "ferritiini",  # Finnish
        "ferrit",
    ),
    "hemoglobin": (
        "hemoglobin",
        "haemoglobin",
        "hb",
        "hgb",
        "b hb",
        "hamoglobin",
        "haemoglobine",
        "hemoglobine",
        "hemoglobin mass volume in blood",
        "hemoglobiini",  # Finnish
        "hæmoglobin",  # Danish
        "hemoglobina",
        "emoglobina",
    ),
    "hematocrit": (
        "hematocrit",
        "haematocrit",
        "hct",
        "hkt",
        "hk",
        "pcv",
        "b hct",
        "hamatokrit",
        "hematocrite",
        "hematocrit volume fraction of blood",
        "hematokrit",  # Nordic
        "evf",  # Swedish: erythrocyte volume fraction
        "hematokriitti",
        "ematocrito",
        "hematocrito",
    ),
    "tsat": (
        "transferrin saturation",
        "transferrin sat",
        "transferrinsattigung",
        "tsat",
        "tf sat",
        "tfsat",  # Finnish lab code (P -TfSat)
        "tfs",
        "iron saturation",
        "saturation",
        "iron sat",
        "iron saturation transferrin",
        "iron saturation mass fraction in serum or plasma",
        "% saturation",
        "percent saturation",
        "iron % saturation",
        "transferrinmattnad",  # Swedish (transferrinmättnad)
        "transferrinmætning",  # Danish
        "transferrinmetning",  # Norwegian
        "transferriinin saturaatio",  # Finnish
        "transferrinesaturatie",  # Dutch
        "transferrine saturatie",
        "transferrineverzadiging",
        "coefficient de saturation",  # French (CST)
        "coefficient de saturation de la transferrine",
        "saturation de la transferrine",
        "cst",
    ),
    "iron": (
        "iron",
        "serum iron",
        "s iron",
        "fe",
        "s fe",
        "eisen",
        "fer serique",
        # Not "fer" alone: French for iron, but FER is also a lab's code for ferritin.
        "fer total",
        "fer serum",
        "jarn",  # Swedish (järn)
        "jern",  # Danish, Norwegian
        "rauta",  # Finnish
        "ijzer",  # Dutch
        "hierro",
        "ferro",
        "iron total",
        "iron mass volume in serum or plasma",
    ),
    "tibc": (
        "tibc",
        "total iron binding capacity",
        "iron binding capacity",
        "tebk",
        "iron binding capacity mass volume in serum or plasma",
    ),
    "phosphate": (
        "phosphate",
        "phosphorus",
        "phos",
        "po4",
        "phosphat",
        "inorganic phosphate",
        "serum phosphate",
        "phosphate serum",
        "phosphorus inorganic",
        "phosphate mass volume in serum or plasma",
        "fosfat",  # Nordic
        "fosfaatti",
        "fosfaat",
        "phosphore",
        "phosphate inorganique",
    ),
}

# LOINC code -> analyte. The domain table's codes plus hematocrit's calculated variant.
LOINC_TO_ANALYTE: dict[str, str] = {a.loinc: code for code, a in units.ANALYTES.items()}
LOINC_TO_ANALYTE["20570-8"] = "hematocrit"
# The same quantities under other codes labs send: by immunoassay or in blood (ferritin),
# in moles (Hb in mmol/L as Dutch labs report it, iron and TIBC in umol/L, phosphate in
# mmol/L), venous or calculated Hb. The value's unit is checked against the analyte's
# accepted units as for the main code, so a mass and a moles code read alike.
LOINC_TO_ANALYTE |= {
    "20567-4": "ferritin",
    "24373-3": "ferritin",
    "59260-0": "hemoglobin",
    "30350-3": "hemoglobin",
    "20509-6": "hemoglobin",
    "14798-3": "iron",
    "14800-7": "tibc",
    "14879-1": "phosphate",
}

LOINC_SYSTEM = "http://loinc.org"
UCUM_SYSTEM = "http://unitsofmeasure.org"
SNOMED_SYSTEM = "http://snomed.info/sct"
SNOMED_INTRAVENOUS = "255560000"

_ALIAS_TO_ANALYTE = {
    alias: code for code, aliases in ANALYTE_ALIASES.items() for alias in aliases
} | {loinc: code for loinc, code in LOINC_TO_ANALYTE.items()}
# Longest first, so "serum iron" wins over "iron" and "iron saturation" over "iron".
_ALIASES_LONGEST_FIRST = sorted(_ALIAS_TO_ANALYTE, key=len, reverse=True)


def normalise_name(text: str) -> str:
    """'Ferritin_ug_l' -> 'ferritin ug l'; 'Hämoglobin' -> 'hamoglobin'."""
    text = (text or "").replace("\ufeff", "").strip().lower()
    text = text.translate(str.maketrans("µμäöüéèáà", "uuaoueeaa"))
    text = re.sub(r"[_\-:,;.*#]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# The specimen before a Nordic test name ("P-Järn", "S-Ferritiini", "fP-Fosfaatti",
# "cB-Hb": plasma, serum, fasting plasma, capillary blood): the test is the rest.
SPECIMEN_PREFIXES = frozenset({"s", "p", "b", "fp", "fs", "cb", "vb", "sp", "pt"})


def _without_specimen(key: str) -> str | None:
    first, _, rest = key.partition(" ")
    return rest if first in SPECIMEN_PREFIXES and rest else None


def analyte_for_name(name: str) -> str | None:
    """The analyte code a test name or LOINC code stands for, if exactly known."""
    key = normalise_name(name)
    if key in _ALIAS_TO_ANALYTE:
        return _ALIAS_TO_ANALYTE[key]
    rest = _without_specimen(key)
    if rest in _ALIAS_TO_ANALYTE:
        return _ALIAS_TO_ANALYTE[rest]
    raw = (name or "").strip()
    return LOINC_TO_ANALYTE.get(raw)


# The most words any alias has: a header's longer prefixes cannot name an analyte.
_MAX_ALIAS_WORDS = max(len(alias.split()) for alias in _ALIAS_TO_ANALYTE)


def split_bracket(text: str) -> tuple[str, str] | None:
    """'Ferritin (ng/mL)' -> ('Ferritin', 'ng/mL'); None when no bracket closes the text.

    String search rather than a pattern: a pattern with optional spaces on both
    sides of the bracket backtracks cubically on a long run of spaces.
    """
    text = text.strip()
    if not text or text[-1] not in ")]":
        return None
    inside_end = len(text) - 1
    last_close = max(text.rfind(")", 0, inside_end), text.rfind("]", 0, inside_end))
    # The first opening bracket with nothing closing between it and the final bracket.
    opens = [i for i in (text.find("(", last_close + 1), text.find("[", last_close + 1)) if i >= 0]
    if not opens:
        return None
    start = min(opens)
    return text[:start].rstrip(), text[start + 1 : inside_end].strip()


# Words after an analyte's name that make it another test: "Iron binding capacity,
# unsaturated" (UIBC) is no TIBC, "Hemoglobin A1c" no hemoglobin, "Saturation O2" no TSAT,
# "Phosphate, urine" no serum phosphate. A value read as the analyte would be stored wrong
# without a word (its unit is often one the analyte accepts), so such a name is not it.
OTHER_TEST_WORDS = frozenset(
    "unsaturated uibc a1c a2 glycated glycosylated electrophoresis variant fetal free "
    "o2 oxygen spo2 sao2 urine urinary csf 24h receptor index ratio creatinine".split()
)


def names_another_test(words: str) -> bool:
    """Whether the words after an analyte's name (or in its bracket) make it another test."""
    return any(w in OTHER_TEST_WORDS for w in re.split(r"[^a-z0-9]+", normalise_name(words)))


# Words after a test's name that say where or how it was measured, not what: "Iron, Serum",
# "Ferritin i.S.", "Eisen im Serum", "Phosphat anorganisch", LOINC's "[Mass/volume] in
# Serum or Plasma". They are neither a unit nor another test.
QUALIFIER_WORDS = frozenset(
    "serum plasma blood whole venous total level in im or of i s p b ser plas bld "
    "serique anorganisch inorganic".split()
)


def _qualifier(word: str) -> bool:
    key = normalise_name(word)
    return (
        word.startswith("[")
        or word.endswith("]")
        or all(part in QUALIFIER_WORDS for part in key.split())
    )


def _longest_alias(text: str) -> tuple[str | None, list[str]]:
    """(analyte of the longest known name at the start of `text`, the words after it)."""
    # Keep "/" and "%" out of the name normalisation: they belong to units.
    words = re.sub(r"[_,;:]+|(?<=\w)(?=%)", " ", text).split()
    lowered = [normalise_name(w) for w in words]
    kept = [i for i, w in enumerate(lowered) if w]  # words left after normalising
    for count in range(min(len(kept), _MAX_ALIAS_WORDS), 0, -1):
        candidate = " ".join(lowered[i] for i in kept[:count])
        if candidate not in _ALIAS_TO_ANALYTE:
            candidate = _without_specimen(candidate) or candidate  # "S-Ferritiini"
        if candidate in _ALIAS_TO_ANALYTE:
            # The longest prefix with these words: blank words right after them go too.
            cut = kept[count] if count < len(kept) else len(words)
            return _ALIAS_TO_ANALYTE[candidate], words[cut:]
    return None, []


def split_analyte_and_unit(name: str) -> tuple[str | None, str]:
    """'Ferritin (ng/mL)' -> ('ferritin', 'ng/mL'); 'ferritin_ug_l' -> ('ferritin', 'ug/l');
    'Iron Bind.Cap. (TIBC)' -> ('tibc', ''): a bracket that names a test names this one.

    Returns (None, '') when the header names no known analyte, or names another test
    after it ("Iron binding capacity, unsaturated"). Linear in the length of `name`: only
    the prefixes short enough to be an alias are looked up.
    """
    text = (name or "").replace("\ufeff", "").strip()
    unit, named = "", None
    bracket = split_bracket(text)
    if bracket:
        text, unit = bracket
        if names_another_test(unit):
            return None, ""
        named = analyte_for_name(unit)  # "(TIBC)", "(HGB)": the test's short name
        if named:
            unit = ""
    analyte, rest = _longest_alias(text)
    if names_another_test(" ".join(rest)):
        return None, ""
    rest = [w for w in rest if not _qualifier(w)]
    if named and analyte != named:
        # "Iron Bind.Cap. (TIBC)" is TIBC: its name goes on after "Iron". "Iron (TIBC)"
        # names two tests and is neither.
        return (named, "") if analyte is None or rest else (None, "")
    if analyte and not unit and rest:
        unit = "".join(rest) if any("/" in w for w in rest) else "/".join(rest)
    return analyte, unit if analyte else ""


_COMPARATOR_AND_NUMBER = re.compile(
    r"\s*(?:(?:<=|>=|≤|≥|<|>)\s*)?(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)"
)


def split_value_and_unit(text: str) -> tuple[str, str]:
    """'<5 µg/L' -> ('<5', 'µg/L'); '12.5' -> ('12.5', ''); no number first -> (text, '').

    The number is matched from the start with no end anchor and the rest is taken
    as it is, so no part of the pattern is retried along a long cell.
    """
    match = _COMPARATOR_AND_NUMBER.match(text)
    if not match:
        return text.strip(), ""
    return match.group().strip(), text[match.end() :].strip()


# The unit vocabulary lives with the units (the lab form reads "38 ng/ml" with it too).
unit_key = units.unit_key
resolve_unit = units.resolve_unit
without_flags = units.without_flags


# IV iron products: keyword (normalised) -> product code of tracking.Infusion.
PRODUCT_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("carboxymaltose", "fcm"),
    ("injectafer", "fcm"),
    ("ferinject", "fcm"),
    ("fcm", "fcm"),
    ("derisomaltose", "derisomaltose"),
    ("isomaltoside", "derisomaltose"),
    ("monoferric", "derisomaltose"),
    ("monofer", "derisomaltose"),
    ("ferumoxytol", "ferumoxytol"),
    ("feraheme", "ferumoxytol"),
    ("rienso", "ferumoxytol"),
    ("dextran", "lmw_dextran"),
    ("infed", "lmw_dextran"),
    ("cosmofer", "lmw_dextran"),
    ("iron sucrose", "sucrose"),
    ("venofer", "sucrose"),
    ("sucrose", "sucrose"),
)

PRODUCT_CODES = products.PRODUCT_CODES


def product_for_name(name: str) -> str | None:
    """The product code a product name stands for; None when no IV iron product is named."""
    key = normalise_name(name)
    if not key:
        return None
    if key in PRODUCT_CODES:
        return key
    for keyword, code in PRODUCT_KEYWORDS:
        if re.search(rf"\b{re.escape(keyword)}\b", key):
            return code
    return None


def looks_like_iron(name: str) -> bool:
    key = normalise_name(name)
    return bool(re.search(r"\b(iron|fe|ferric|ferr\w*)\b", key))
