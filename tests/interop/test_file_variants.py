"""Files as people really save them (issue 18): UTF-16, the wrong extension, line numbers."""

import codecs
import datetime

import pytest

from rlsapp.interop.csv import parse_csv
from rlsapp.interop.fhir_parse import parse_bundle
from rlsapp.interop.parsed import ImportRefused
from rlsapp.tracking.models import LabDraw, LabResult

from .helpers import data_file, preview

TODAY = datetime.date(2024, 6, 1)


def values(parsed):
    return {
        (d.drawn_on.isoformat(), r.analyte): round(r.value, 3)
        for d in parsed.draws
        for r in d.results
    }


# 2. UTF-16 ---------------------------------------------------------------------------


def test_excel_unicode_text_utf16_le_with_bom_and_tabs_is_read():
    parsed = parse_csv(data_file("utf16le_tab_unicode_text.txt"), today=TODAY)
    assert not parsed.errors
    assert values(parsed) == {
        ("2023-01-14", "ferritin"): 45,
        ("2023-01-14", "hemoglobin"): 13.2,
        ("2023-03-20", "ferritin"): 38,
        ("2023-03-20", "hemoglobin"): 12.9,
    }
    assert parsed.draws[0].lab_name == "Labor Dr. Müller"
    assert any("UTF-16" in note for note in parsed.notes)


def test_a_utf16_be_semicolon_lab_file_is_read():
    parsed = parse_csv(data_file("utf16be_semicolon_lab.csv"), today=TODAY)
    assert not parsed.errors
    assert values(parsed)[("2023-05-02", "ferritin")] == 61
    assert values(parsed)[("2023-07-04", "hemoglobin")] == 12.8


def test_utf16_without_a_bom_is_told_by_its_nul_pattern():
    text = "Date\tFerritin (µg/L)\r\n2023-01-14\t45\r\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        parsed = parse_csv(text.encode(encoding), today=TODAY)
        assert values(parsed) == {("2023-01-14", "ferritin"): 45}, encoding


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02\x03\x04\x05binary\x00\x00\x00",
        b"\xff\xfe\x00\xd8",  # a BOM, then half of a surrogate pair
        "Date,Ferritin\n".encode("utf-16-le")[:-1],  # an odd number of bytes
    ],
)
def test_binary_and_broken_utf16_are_still_refused(content):
    with pytest.raises(ImportRefused, match="binary|UTF-16"):
        parse_csv(content, today=TODAY)


@pytest.mark.django_db
def test_a_utf16_upload_imports_through_the_preview(owner_client, patient):
    url, page = preview(
        owner_client, patient, "export.txt", data_file("utf16le_tab_unicode_text.txt")
    )
    assert "Ferritin 45 µg/L" in page
    assert "UTF-16" in page
    owner_client.post(url, {"action": "confirm"})
    assert LabDraw.objects.filter(patient=patient).count() == 2
    assert LabResult.objects.filter(draw__patient=patient, analyte="ferritin").count() == 2


# A FHIR Bundle saved as UTF-16 or UTF-32 (Windows "Unicode"), with its byte order mark.

BUNDLE_ENCODINGS = [
    ("utf-8-sig", codecs.BOM_UTF8),
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-32-le", codecs.BOM_UTF32_LE),
    ("utf-32-be", codecs.BOM_UTF32_BE),
]


def bundle_in(codec, bom):
    text = data_file("portal_bundle.json").decode("utf-8")
    return text.encode(codec) if codec == "utf-8-sig" else bom + text.encode(codec)


@pytest.mark.parametrize(("codec", "bom"), BUNDLE_ENCODINGS, ids=[c for c, _ in BUNDLE_ENCODINGS])
def test_a_fhir_bundle_is_read_in_utf16_and_utf32_by_its_byte_order_mark(codec, bom):
    plain = parse_bundle(data_file("portal_bundle.json"), today=TODAY)
    parsed = parse_bundle(bundle_in(codec, bom), today=TODAY)
    assert parsed.errors == [] and parsed.draws == plain.draws
    assert parsed.infusions == plain.infusions and parsed.skipped == plain.skipped


@pytest.mark.parametrize(
    ("codec", "bom"), BUNDLE_ENCODINGS[1:], ids=[c for c, _ in BUNDLE_ENCODINGS[1:]]
)
def test_a_utf16_fhir_upload_is_read_as_a_bundle_and_imported(owner_client, patient, codec, bom):
    url, page = preview(owner_client, patient, "portal.json", bundle_in(codec, bom))
    assert "Read as a FHIR Bundle" in page
    owner_client.post(url, {"action": "confirm"})
    assert LabResult.objects.filter(draw__patient=patient).count() == 4


def test_a_utf16_bundle_cut_short_is_refused_with_the_byte():
    whole = bundle_in("utf-16-le", codecs.BOM_UTF16_LE)
    with pytest.raises(ImportRefused, match=r"marked as UTF-16 text but byte [\d,]+ is not UTF-16"):
        parse_bundle(whole[:-1], today=TODAY)


# 5. Line numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, line",
    [("unclosed_quote_line3.csv", 3), ("malformed_unclosed_quote.csv", 2)],
)
def test_an_unclosed_quote_is_reported_on_the_line_where_it_opens(name, line):
    with pytest.raises(ImportRefused) as refused:
        parse_csv(data_file(name), today=TODAY)
    message = str(refused.value)
    assert f"line {line}:" in message
    assert "quote" in message


def test_a_nul_character_inside_utf16_text_is_still_refused_with_its_line():
    content = "Date\tFerritin\r\n2023-01-01\t4\x005\r\n".encode("utf-16")
    with pytest.raises(ImportRefused, match="NUL character on line 2"):
        parse_csv(content, today=TODAY)


def test_a_row_with_line_breaks_in_a_quoted_cell_is_numbered_by_its_first_line():
    # A comment with line breaks ends its row two lines later: the bad value on line 2 was
    # reported on row 4, and the rows after it were right only by chance of their own.
    parsed = parse_csv(data_file("multiline_comment_rows.csv"), today=TODAY)
    assert [(e.row, e.message[:10]) for e in parsed.errors] == [
        (2, "read “abc”"),
        (6, "read “xyz”"),
    ]
    assert [d.rows for d in parsed.draws] == [[5]]
