import datetime

import pytest

from rlsapp.domain import regions
from rlsapp.interop import vocab
from rlsapp.interop.csv import parse_csv
from rlsapp.interop.dates import DateError, choose_order, parse_date

from .helpers import data_file

TODAY = datetime.date(2024, 6, 1)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Ferritin (ng/mL)", ("ferritin", "ng/mL")),
        ("ferritin_ug_l", ("ferritin", "ug/l")),
        ("Hb g/L", ("hemoglobin", "g/L")),
        ("Hct L/L", ("hematocrit", "L/L")),
        ("S-Ferritin", ("ferritin", "")),
        ("Transferrinsättigung (%)", ("tsat", "%")),
        ("Weight (kg)", (None, "")),
    ],
)
def test_headers_split_into_analyte_and_unit(header, expected):
    assert vocab.split_analyte_and_unit(header) == expected


@pytest.mark.parametrize(
    "name",
    [
        "Iron binding capacity unsaturated",  # UIBC was read as TIBC
        "Iron Binding Capacity (Unsaturated)",
        "Iron binding capacity.unsaturated [Mass/volume] in Serum or Plasma",  # read as iron
        "Hemoglobin A1c",
        "Hb A1c (%)",
        "Saturation O2 (%)",  # read as TSAT
        "Phosphate [Moles/volume] in Urine",
    ],
)
def test_a_name_that_goes_on_to_another_test_is_not_the_analyte(name):
    assert vocab.split_analyte_and_unit(name) == (None, "")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Iron Bind.Cap.(TIBC)", ("tibc", "")),  # LabCorp's name: was read as serum iron
        ("Iron (TIBC)", (None, "")),  # two tests named: neither
        ("Hemoglobin (HGB)", ("hemoglobin", "")),
        ("Iron, Serum", ("iron", "")),  # a wide column was "not imported" ('Serum' no unit)
        ("Eisen im Serum", ("iron", "")),
        ("Ferritin i.S.", ("ferritin", "")),
        ("Phosphat anorganisch", ("phosphate", "")),
        ("Ferritin [Mass/volume] in Serum or Plasma", ("ferritin", "")),
        ("ferritin_ug_l", ("ferritin", "ug/l")),
    ],
)
def test_a_bracket_naming_the_test_and_words_saying_where_it_was_measured(name, expected):
    assert vocab.split_analyte_and_unit(name) == expected


def test_a_long_file_stores_labcorps_tibc_as_tibc():
    text = "Date,Test,Result,Units\n2024-03-01,Iron Bind.Cap.(TIBC),300,ug/dL\n"
    parsed = parse_csv(text.encode(), today=TODAY)
    assert [(r.analyte, r.value) for d in parsed.draws for r in d.results] == [("tibc", 300)]


def test_a_long_file_skips_uibc_instead_of_storing_it_as_tibc():
    text = (
        "Date,Test,Result,Units\n"
        "2024-03-01,Iron binding capacity unsaturated,200,ug/dL\n"
        "2024-03-01,Iron binding capacity,300,ug/dL\n"
    )
    parsed = parse_csv(text.encode(), today=TODAY)
    assert [(r.analyte, r.value) for d in parsed.draws for r in d.results] == [("tibc", 300)]
    assert parsed.skipped["tests rlsapp does not track (Iron binding capacity unsaturated)"] == 1


@pytest.mark.parametrize(
    ("analyte", "text", "unit"),
    [
        ("ferritin", "ug/l", "µg/L"),
        ("ferritin", "mcg/L", "µg/L"),
        ("ferritin", "NG/ML", "ng/mL"),
        ("hemoglobin", "g/100mL", "g/dL"),
        ("hematocrit", "percent", "%"),
        ("hematocrit", "l/l", "L/L"),
        ("iron", "umol/L", "µmol/L"),
        ("iron", "ug/dL", "µg/dL"),
        ("ferritin", "mg/L", None),
    ],
)
def test_units_resolve_whatever_the_spelling(analyte, text, unit):
    assert vocab.resolve_unit(analyte, text) == unit


@pytest.mark.parametrize(
    ("name", "product"),
    [
        ("Ferric carboxymaltose (Injectafer / Ferinject)", "fcm"),
        ("Monofer 1000 mg", "derisomaltose"),
        ("Feraheme", "ferumoxytol"),
        ("INFeD", "lmw_dextran"),
        ("Venofer", "sucrose"),
        ("Paracetamol", None),
    ],
)
def test_iron_products_are_recognised_by_name(name, product):
    assert vocab.product_for_name(name) == product


def test_loinc_codes_of_the_domain_table_map_to_analytes():
    assert vocab.LOINC_TO_ANALYTE["2276-4"] == "ferritin"
    assert vocab.LOINC_TO_ANALYTE["20570-8"] == "hematocrit"


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2024-03-05", "mdy", "2024-03-05"),
        ("2024-03-05T08:30:00+01:00", "dmy", "2024-03-05"),
        ("05.03.2024", "dmy", "2024-03-05"),
        ("05/03/2024", "mdy", "2024-05-03"),
        ("5/3/24", "dmy", "2024-03-05"),
        ("5 Mar 2024", "mdy", "2024-03-05"),
        ("Mar 5, 2024", "dmy", "2024-03-05"),
        ("20240305", "mdy", "2024-03-05"),  # yyyymmdd (HL7-fed portals) was refused
        ("202403050815", "dmy", "2024-03-05"),
    ],
)
def test_dates_parse_in_the_chosen_order(text, order, expected):
    assert parse_date(text, order, TODAY).isoformat() == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        # A month in words in the account's language, as its date fields read it: German,
        # French and Danish lab exports write them so; English is read for every account.
        ("12. März 2024", "de_DE", "2024-03-12"),
        ("03-Okt-2023", "de_DE", "2023-10-03"),
        ("5 févr. 2024", "fr_FR", "2024-02-05"),
        ("5 maj 2024", "da_DK", "2024-05-05"),
        ("5 Mar 2024", "de_DE", "2024-03-05"),
        ("31-Mar-24", "en_GB", "2024-03-31"),  # a two-digit year as the date fields read it
    ],
)
def test_a_month_in_words_is_read_in_the_accounts_language(text, locale, expected):
    assert parse_date(text, "dmy", TODAY, locale).isoformat() == expected


def test_a_month_in_another_language_is_not_guessed():
    with pytest.raises(DateError):
        parse_date("12. März 2024", "dmy", TODAY)  # an English account's file
    with pytest.raises(DateError, match=r"the month in words \(31 Mar 2024"):
        parse_date("yesterday", "dmy", TODAY)
    with pytest.raises(DateError, match="not a real date"):
        parse_date("31 Apr 2024", "dmy", TODAY)


@pytest.mark.parametrize("text", ["", "31/02/2024", "yesterday", "2025-01-01", "1900-01-01"])
def test_impossible_dates_are_refused_with_a_reason(text):
    with pytest.raises(DateError):
        parse_date(text, "dmy", TODAY)


def test_the_order_is_worked_out_from_the_column_or_left_to_the_person():
    assert choose_order(["2024-01-02"], "auto") == ("iso", False)
    assert choose_order(["03/04/2024", "25/04/2024"], "auto") == ("dmy", False)
    assert choose_order(["03/04/2024", "04/25/2024"], "auto") == ("mdy", False)
    assert choose_order(["03.04.2024"], "auto") == ("dmy", False)
    assert choose_order(["03/04/2024"], "auto") == ("dmy", True)
    assert choose_order(["03/04/2024"], "mdy") == ("mdy", False)


@pytest.mark.parametrize(
    "name, region, expected",
    [
        (
            "danish_dato.csv",
            "DK",
            {"ferritin": (45, "µg/L"), "hemoglobin": (13.05, "mmol/L"), "iron": (83.8, "µmol/L")},
        ),
        (
            "finnish_paivamaara.csv",
            "FI",
            {
                "ferritin": (45, "µg/L"),
                "hemoglobin": (13.1, "g/L"),
                "iron": (83.8, "µmol/L"),
                "tsat": (22, "%"),
            },
        ),
    ],
)
def test_danish_norwegian_and_finnish_date_headers_and_names_are_read(name, region, expected):
    # 'Dato' (Danish, Norwegian) and 'Päivämäärä' (Finnish) were no date column, so the whole
    # file was refused ('No date column found'); 'Hæmoglobin' and 'P -TfSat' were left out.
    parsed = parse_csv(data_file(name), today=TODAY, region=regions.get(region))
    assert not parsed.errors
    [draw] = parsed.draws
    assert draw.drawn_on == datetime.date(2024, 4, 3)
    found = {r.analyte: (round(r.value, 2), r.entered_unit) for r in draw.results}
    assert found == expected


def test_an_unproven_order_is_read_the_accounts_way_while_the_person_chooses():
    assert choose_order(["03/04/2024"], "auto", "mdy") == ("mdy", True)
    assert choose_order(["03/04/2024"], "auto", "dmy") == ("dmy", True)
    assert choose_order(["03/04/2024"], "auto", "ymd") == ("dmy", True)  # ISO regions
    assert choose_order(["03/04/2024", "25/04/2024"], "auto", "mdy") == ("dmy", False)
