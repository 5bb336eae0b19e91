import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlsapp.domain import regions
from rlsapp.interop.csv import parse_csv
from rlsapp.interop.parsed import ImportRefused, ParsedImport

from .helpers import data_file

TODAY = datetime.date(2024, 6, 1)


def parse(content, order="auto"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return parse_csv(content, order, today=TODAY)


def results(parsed):
    return {
        (d.drawn_on.isoformat(), r.analyte): (round(r.value, 3), r.comparator)
        for d in parsed.draws
        for r in d.results
    }


def test_the_european_export_reads_semicolons_decimal_commas_g_l_and_l_l():
    parsed = parse(data_file("eu_lab_export.csv"))
    assert parsed.layout == "wide" and parsed.date_order == "dmy"
    assert not parsed.errors
    assert len(parsed.draws) == 4
    found = results(parsed)
    assert found[("2023-01-14", "hemoglobin")] == (11.8, "")
    assert found[("2023-01-14", "hematocrit")] == (36.0, "")
    assert found[("2023-11-21", "ferritin")] == (96.5, "")
    assert found[("2023-05-02", "iron")] == (round(22.4 / 0.179, 3), "")
    assert parsed.draws[0].lab_name == "Labor Dr. Müller"
    assert "The first 3 line(s) before the header were skipped." in parsed.notes


def test_the_us_portal_export_reads_the_long_layout_month_first():
    parsed = parse(data_file("us_portal_export.csv"))
    assert parsed.layout == "long" and parsed.date_order == "mdy"
    assert not parsed.errors
    assert [d.drawn_on.isoformat() for d in parsed.draws] == [
        "2023-03-15",
        "2023-06-28",
        "2023-10-02",
    ]
    first = {r.analyte: r for r in parsed.draws[0].results}
    assert set(first) == {"ferritin", "hemoglobin", "hematocrit", "iron", "tibc", "tsat"}
    assert (first["iron"].value, first["iron"].entered_unit) == (38, "µg/dL")
    assert parsed.skipped["tests rlsapp does not track (VITAMIN D 25-OH)"] == 1
    assert parsed.draws[0].lab_name == "Quest Diagnostics"


def test_the_messy_spreadsheet_keeps_comparators_and_skips_blank_rows():
    parsed = parse(data_file("messy_spreadsheet.csv"))
    found = results(parsed)
    assert found[("2022-01-10", "ferritin")] == (5, "<")
    assert found[("2023-02-01", "ferritin")] == (1500, ">")
    assert found[("2022-12-12", "ferritin")] == (71, "")  # "71 µg/L" in the cell
    assert ("2022-06-20", "hemoglobin") not in found  # "n/a"
    assert parsed.skipped["blank rows"] == 2
    assert [(i.given_on.isoformat(), i.product, i.dose_mg) for i in parsed.infusions] == [
        ("2022-01-24", "fcm", 750),
        ("2022-01-31", "fcm", 750),
        ("2023-01-05", "derisomaltose", 1000),
    ]
    assert [s.severity for s in parsed.symptoms] == [8, 3, 2, 6]
    assert parsed.draws[0].note == 'felt awful, "restless" every night'


def test_a_row_with_an_error_is_left_out_whole_and_reported_by_row_and_column():
    parsed = parse(data_file("messy_spreadsheet.csv"))
    assert [(e.row, e.column) for e in parsed.errors] == [
        (13, "Symptoms (0-10)"),
        (13, "ferritin_ug_l"),
    ]
    assert "2023-03-01" not in {d.drawn_on.isoformat() for d in parsed.draws}


@pytest.mark.parametrize(
    ("header", "cell", "analyte", "unit", "value"),
    [
        ("Ferritin (ng/mL)", "45", "ferritin", "ng/mL", 45),
        ("ferritin_ug_l", "45", "ferritin", "µg/L", 45),
        ("FERRITIN [pmol/L]", "224,7", "ferritin", "pmol/L", 100),
        ("Hb g/L", "131", "hemoglobin", "g/L", 13.1),
        ("Hgb (g/dL)", "13.1", "hemoglobin", "g/dL", 13.1),
        ("Haemoglobin mmol/L", "8,1", "hemoglobin", "mmol/L", 8.1 / 0.6206),
        ("Hct L/L", "0.41", "hematocrit", "L/L", 41),
        ("HCT %", "41", "hematocrit", "%", 41),
        ("TSAT%", "22", "tsat", "%", 22),
        ("Serum iron (µmol/L)", "17,9", "iron", "µmol/L", 17.9 / 0.179),
        ("Iron mcg/dL", "80", "iron", "µg/dL", 80),
        ("TIBC (umol/L)", "60", "tibc", "µmol/L", 60 / 0.179),
        ("Phosphate (mmol/L)", "0,9", "phosphate", "mmol/L", 0.9 / 0.3229),
        ("Phosphorus mg/dL", "3.1", "phosphate", "mg/dL", 3.1),
    ],
)
def test_headers_carry_analyte_and_unit_as_people_write_them(header, cell, analyte, unit, value):
    parsed = parse(f"Date;{header}\n2024-01-02;{cell}\n")
    assert not parsed.errors
    # The unit is the header's, not the display unit assumed for a header without one
    # (for ng/mL or g/dL the value alone could not tell the two apart).
    assert not any("No unit given" in note for note in parsed.notes)
    [result] = parsed.draws[0].results
    assert (result.analyte, result.entered_unit) == (analyte, unit)
    assert result.value == pytest.approx(value)


def test_a_unit_column_after_the_value_gives_its_unit():
    parsed = parse("Date,Ferritin,Unit,Hb,Unit\n2024-01-02,100,pmol/L,120,g/L\n")
    found = {r.analyte: r for r in parsed.draws[0].results}
    assert found["ferritin"].value == pytest.approx(100 / 2.247)
    assert found["hemoglobin"].value == pytest.approx(12)


def test_a_missing_unit_is_read_as_the_display_unit_and_said_so():
    parsed = parse("Date,Hemoglobin\n2024-01-02,13.1\n")
    assert parsed.draws[0].results[0].entered_unit == "g/dL"
    assert any("No unit given for Hemoglobin" in n for n in parsed.notes)


def test_a_missing_unit_is_the_unit_the_accounts_labs_print_as_in_the_form():
    # A Dutch lab's Hb of 8,1 is mmol/L; it was stored as 8.1 g/dL (the display unit), the
    # very mistake the lab form's regional units prevent, with only a note.
    data = b"Datum;Hb;Fe\n2024-01-02;8,1;15\n"
    parsed = parse_csv(data, today=TODAY, region=regions.get("NL"))
    found = {r.analyte: (round(r.value, 2), r.entered_unit) for r in parsed.draws[0].results}
    assert found == {"hemoglobin": (13.05, "mmol/L"), "iron": (83.8, "µmol/L")}
    assert "No unit given for Hemoglobin: read as mmol/L." in parsed.notes[-2]


def test_a_unit_in_the_value_that_differs_from_the_unit_column_is_an_error():
    # The unit column won silently: serum iron "15 umol/L" beside "ug/dL" was 15 ug/dL.
    parsed = parse("Date,Test,Result,Units\n2024-01-02,Iron,15 umol/L,ug/dL\n")
    assert not parsed.draws
    assert parsed.errors[0].message == (
        "the value '15 umol/L' gives the unit µmol/L but the unit column µg/dL: correct one "
        "of them."
    )


def test_flags_after_a_value_and_a_calculated_mark_after_a_unit_are_not_units():
    # "12 L" (flagged low) was refused as the unknown unit 'L'; "mcg/dL (calc)" likewise.
    parsed = parse(
        "Date,Test,Result,Units\n2024-01-02,Ferritin,12 L,\n2024-01-03,Ferritin,350 H,\n"
        "2024-01-04,Ferritin,12*,ng/mL\n2024-01-05,Ferritin,12 ng/mL ↓,\n"
        "2024-01-05,TIBC,300,mcg/dL (calc)\n"
    )
    assert not parsed.errors
    assert results(parsed) == {
        ("2024-01-02", "ferritin"): (12, ""),
        ("2024-01-03", "ferritin"): (350, ""),
        ("2024-01-04", "ferritin"): (12, ""),
        ("2024-01-05", "ferritin"): (12, ""),
        ("2024-01-05", "tibc"): (300, ""),
    }


@pytest.mark.parametrize(
    "text",
    [
        # French, Swedish, Dutch and Finnish portal exports were refused (no date column,
        # or no known analyte): their headers and test names were not known.
        "Date;Analyse;Résultat;Unité;Valeurs de référence\n"
        "01/02/2024;Ferritine;45;µg/L;30-300\n01/02/2024;Fer sérique;15,2;µmol/L;10-30\n",
        "Provtagningsdatum;Analys;Resultat;Enhet;Referensintervall\n"
        "2024-02-01;P-Ferritin;45;µg/L;30-300\n2024-02-01;P-Järn;15,2;µmol/L;9-34\n",
        "Afnamedatum;Bepaling;Uitslag;Eenheid;Referentiewaarde\n"
        "01-02-2024;Ferritine;45;µg/L;\n01-02-2024;IJzer;15,2;µmol/L;\n",
        "Näytteenottopäivä;Tutkimus;Tulos;Yksikkö;Viiteväli\n"
        "1.2.2024;S -Ferrit;45;µg/l;\n1.2.2024;S -Rauta;15,2;µmol/l;\n",
    ],
)
def test_lab_exports_in_other_languages_are_read(text):
    parsed = parse_csv(text.encode(), "dmy", today=TODAY)
    assert not parsed.errors
    assert results(parsed) == {
        ("2024-02-01", "ferritin"): (45, ""),
        ("2024-02-01", "iron"): (round(15.2 / 0.179, 3), ""),
    }


def test_a_reference_range_column_named_after_its_analyte_is_not_a_unit():
    # "Ferritin reference range" was an error: 'reference/range' looked like a unit.
    parsed = parse("Date,Ferritin (ng/mL),Ferritin reference range\n2024-02-01,45,30-300\n")
    assert not parsed.errors
    assert "Ferritin reference range" in parsed.notes[-1]


def test_a_row_with_more_cells_than_the_header_is_refused_not_read_shifted():
    # An unquoted decimal comma split "13,1": Hb was stored as 13 and the 1 dropped.
    parsed = parse("Date,Ferritin (µg/L),Hb (g/dL)\n01.02.2024,45,13,1\n01.03.2024,46,\n")
    assert results(parsed) == {("2024-03-01", "ferritin"): (46, "")}
    assert parsed.errors[0].row == 2
    assert parsed.errors[0].message.startswith("the row has 4 cells but the header names 3")


def test_dates_from_a_report_date_column_are_said_to_be_so():
    # "Result date" was taken as the draw's date without a word; it may be days later.
    parsed = parse("Result date,Ferritin (ng/mL)\n2024-02-01,45\n")
    assert results(parsed) == {("2024-02-01", "ferritin"): (45, "")}
    assert any("the day the lab reported" in n for n in parsed.notes)
    assert not any("reported" in n for n in parse("Date,Ferritin\n2024-02-01,45\n").notes)


def test_an_unknown_unit_in_the_header_is_an_error_naming_the_column():
    parsed = parse("Date,Ferritin (mg/L),Hb (g/dL)\n2024-01-02,1,13\n")
    assert [(e.row, e.column) for e in parsed.errors] == [(1, "Ferritin (mg/L)")]
    assert "accepted: µg/L, ng/mL, pmol/L" in parsed.errors[0].message


def test_an_out_of_range_value_names_the_range_in_the_entered_unit():
    parsed = parse("Date,Hb (g/L)\n2024-01-02,13\n")
    assert parsed.errors[0].message == (
        "Hemoglobin must be between 20 and 250 g/L. 13 looks like g/dL: 130 g/L?"
    )


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_bom_and_delimiters_are_all_accepted(bom, delimiter):
    text = (
        delimiter.join(["Datum", "Ferritin (µg/L)"])
        + "\n"
        + delimiter.join(["01.02.2024", "12,5" if delimiter != "," else "12.5"])
    )
    parsed = parse_csv(bom + text.encode("utf-8"), today=TODAY)
    assert results(parsed) == {("2024-02-01", "ferritin"): (12.5, "")}


@pytest.mark.parametrize(
    "title", ["Lab results", "Patient: Muster, Anna", "Labor Berlin, Befund vom 01.02.2024"]
)
@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_title_line_without_the_files_separator_does_not_hide_the_header(title, delimiter):
    # The separator was sniffed from the first line alone: a title with a comma, or with
    # no separator at all, made the whole semicolon or tab file one column, refused.
    text = f"{title}\nDatum{delimiter}Ferritin (µg/L)\n01.02.2024{delimiter}1.050\n"
    parsed = parse_csv(text.encode("utf-8"), today=TODAY, number_convention="comma")
    assert results(parsed) == {("2024-02-01", "ferritin"): (1050, "")}
    assert "The first 1 line(s) before the header were skipped." in parsed.notes


def test_a_windows_1252_file_is_read_and_said_so():
    parsed = parse_csv("Date;Ferritin (µg/L)\n2024-01-02;50\n".encode("cp1252"), today=TODAY)
    assert results(parsed) == {("2024-01-02", "ferritin"): (50, "")}
    assert "read as Windows-1252" in parsed.notes[0]


def test_ambiguous_dates_ask_the_person_to_choose():
    parsed = parse("Date,Ferritin\n03/04/2023,50\n")
    assert parsed.needs_date_order
    assert parse("Date,Ferritin\n03/04/2023,50\n", "mdy").draws[0].drawn_on == datetime.date(
        2023, 3, 4
    )
    assert parse("Date,Ferritin\n03/04/2023,50\n", "dmy").draws[0].drawn_on == datetime.date(
        2023, 4, 3
    )


def test_a_day_above_twelve_settles_the_order_for_the_whole_column():
    parsed = parse("Date,Ferritin\n03/04/2023,50\n25/04/2023,60\n")
    assert not parsed.needs_date_order
    assert [d.drawn_on.day for d in parsed.draws] == [3, 25]


def test_infusions_can_be_imported_alone():
    parsed = parse("Date,Product,Dose (g)\n2024-01-02,Ferinject,1\n2024-02-02,Venofer,200 mg\n")
    assert [(i.product, i.dose_mg) for i in parsed.infusions] == [("fcm", 1000), ("sucrose", 200)]
    assert not parsed.draws


def test_a_dose_with_a_thousands_separator_is_a_thousand_mg_not_one():
    # "1,000 mg" (US) and "1.000" (German) were read as 1 mg and refused as out of range.
    data = 'Date;Product;Dose\n2024-01-02;Ferinject;"1,000 mg"\n2024-02-02;Ferinject;1.000\n'
    data += "2024-03-02;Monofer;1 000\n2024-04-02;Venofer;0,2 g\n"
    parsed = parse(data)
    assert not parsed.errors
    assert [i.dose_mg for i in parsed.infusions] == [1000, 1000, 1000, 200]


def test_a_dose_refusal_names_what_was_read():
    parsed = parse("Date,Product,Dose\n2024-01-02,Ferinject,12.500\n")
    assert parsed.errors[0].message == "read '12.500'; enter the dose in mg, from 10 to 3000."


def test_an_unknown_product_is_kept_as_other_with_its_name():
    parsed = parse("Date,Product,Dose\n2024-01-02,Iron polymaltose,500\n")
    assert (parsed.infusions[0].product, parsed.infusions[0].product_other) == (
        "other",
        "Iron polymaltose",
    )


def test_an_infusion_dose_out_of_range_is_an_error():
    parsed = parse("Date,Product,Dose (mg)\n2024-01-02,FCM,5000\n")
    assert parsed.errors[0].column == "Dose (mg)"
    assert "from 10 to 3000" in parsed.errors[0].message


def test_two_different_values_for_one_draw_in_a_long_file_are_an_error():
    parsed = parse("Date,Test,Value\n2024-01-02,Ferritin,50\n2024-01-02,Ferritin,60\n")
    assert parsed.errors[0].row == 3
    assert "row 2 has one" in parsed.errors[0].message


def test_the_same_value_twice_in_a_file_is_skipped_not_doubled():
    parsed = parse("Date,Test,Value\n2024-01-02,Ferritin,50\n2024-01-02,Ferritin,50\n")
    assert parsed.result_count == 1
    assert parsed.skipped["results repeated within the file"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"   \n\n", "The file is empty."),
        (b"PK\x03\x04rest", "Excel workbook"),
        (b"%PDF-1.4 ...", "not a CSV text file"),
        (b"Ferritin,Hb\n45,13\n", "No date column found"),
        (b"Date,Weight\n2024-01-01,70\n", "No known analyte column"),
        (b'Date,Ferritin\n2024-01-01,"45\n', "malformed near line"),
    ],
)
def test_it_refuses_files_it_cannot_use(content, message):
    with pytest.raises(ImportRefused, match=message):
        parse(content)


def test_the_parsed_upload_survives_its_json_round_trip():
    parsed = parse(data_file("messy_spreadsheet.csv"))
    again = ParsedImport.from_json(parsed.to_json())
    assert again == parsed


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_the_parser(content):
    try:
        parse_csv(content, today=TODAY)
    except ImportRefused:
        pass


CELLS = st.sampled_from(
    ["", "45", "<5", "12,5", "abc", "-", "2023-01-02", "31/12/2023", "0,36", "=1+1", '"', "é"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(CELLS, min_size=1, max_size=6), max_size=8),
    st.sampled_from(["auto", "dmy", "mdy"]),
)
def test_random_spreadsheets_never_crash_the_parser(rows, order):
    header = "Date;Ferritin (ng/mL);Hb g/L;Product;Dose (mg);Severity"
    text = "\n".join([header] + [";".join(r) for r in rows])
    try:
        parsed = parse_csv(text.encode(), order, today=TODAY)
    except ImportRefused:
        return
    ParsedImport.from_json(parsed.to_json())


def test_text_after_a_value_that_is_no_unit_is_an_error_not_dropped():
    # Beside a unit column, the text after a value was dropped unread: '1e3' was stored as
    # ferritin 1 ng/mL, '45 nmol/L' as 45 ng/mL and iron '15 mg/L' as 15 µg/dL.
    parsed = parse_csv(data_file("value_with_no_unit_after_it.csv"), today=TODAY)
    assert results(parsed) == {("2023-03-20", "ferritin"): (45, "")}
    accepted = (
        "enter a number in the international format, for example 1050.5 or 12.5, optionally "
        "after < or > and followed by its unit."
    )
    assert [(e.row, e.message) for e in parsed.errors] == [
        (2, f"read '1e3': {accepted}"),
        (
            3,
            "the value '45 nmol/L' ends in 'nmol/L', which is not a unit of Ferritin "
            "(accepted: µg/L, ng/mL, pmol/L): correct it.",
        ),
        (
            4,
            "the value '15 mg/L' ends in 'mg/L', which is not a unit of Serum iron "
            "(accepted: µg/dL, µmol/L): correct it.",
        ),
        (5, f"read '12 #': {accepted}"),
        (6, f"read '1E+03': {accepted}"),
    ]


def test_a_calculated_mark_after_a_value_beside_a_unit_column_is_no_unit():
    parsed = parse("Date,Test,Result,Units\n2024-01-02,TSAT,30 (calc),%\n")
    assert not parsed.errors
    assert results(parsed) == {("2024-01-02", "tsat"): (30, "")}


def test_a_month_in_words_is_read_in_the_accounts_language():
    # A German lab's export dates its rows "12. März 2024": refused as no date before,
    # since only English month names were read; the date fields read them already.
    data = "Datum;Ferritin (µg/L)\n12. März 2024;45\n03.Okt.2023;60\n".encode()
    parsed = parse_csv(data, today=TODAY, region=regions.get("DE"))
    assert not parsed.errors
    assert sorted(d.drawn_on.isoformat() for d in parsed.draws) == ["2023-10-03", "2024-03-12"]
    english = parse_csv(data, today=TODAY, region=regions.get("US"))
    assert not english.draws and "12. März 2024" in english.errors[0].message
