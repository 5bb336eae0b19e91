"""Random and hostile files through the import views (upload, preview, confirm): never a 500,
never a parser crash hidden behind the polite refusal, nothing written before the person
confirms, and a confirmed import writes whole records (no draw without its results)."""

import datetime
import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from rlsapp.domain import units
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, SymptomScore
from tests.fuzzing import through_views

EXAMPLES = through_views(max_examples=30)

HOSTILE_CELL = st.sampled_from(
    [
        "",
        '=HYPERLINK("http://evil.example")',
        "+1+1",
        "@SUM(A1)",
        "<script>alert(1)</script>",
        "\x00",
        "NaN",
        "inf",
        "1e309",
        "-5",
        "9" * 60,
        "<5",
        ">1500",
        "12,5",
        "2024-02-30",
        "31/12/2024",
        "12/31/2024",
        "01.02.03",
        "🩸",
        '"',
        "a\nb",
    ]
)
CELL = st.one_of(
    HOSTILE_CELL,
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.integers(-10, 5000).map(str),
    st.dates().map(str),
)
HEADER = st.sampled_from(
    [
        "Date",
        "Datum",
        "date drawn",
        "Ferritin",
        "Ferritin (µg/L)",
        "Ferritin ng/mL",
        "Hemoglobin",
        "Hb (g/L)",
        "TSAT %",
        "Iron",
        "Test",
        "Result",
        "Unit",
        "Units",
        "Lab",
        "Note",
        "Infusion",
        "Dose mg",
        "Product",
        "Severity",
        "",
    ]
)


@st.composite
def csv_files(draw):
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    headers = draw(st.lists(HEADER, min_size=1, max_size=7))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=8), max_size=12))

    def line(cells):
        return delimiter.join(
            '"' + c.replace('"', '""') + '"' if delimiter in c else c for c in cells
        )

    text = "\n".join([line(headers), *map(line, rows)])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    return text.encode(encoding, errors="replace")


JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def observations(draw):
    code = draw(st.sampled_from([a.loinc for a in units.ANALYTES.values()] + ["0000-0", ""]))
    resource = {
        "resourceType": draw(st.sampled_from(["Observation", "Observation", "X"])),
        "status": draw(st.sampled_from(["final", "final", "entered-in-error", "amended", 7])),
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "effectiveDateTime": draw(st.one_of(PAST, PAST, HOSTILE_CELL)),
        "valueQuantity": {
            "value": draw(st.one_of(st.integers(1, 500), st.floats(), HOSTILE_CELL)),
            "unit": draw(st.sampled_from(["ng/mL", "ug/L", "g/dL", "%", "mmol/L", "", "furlong"])),
            "comparator": draw(st.sampled_from([None, "<", ">=", "~"])),
        },
    }
    if draw(st.integers(0, 3)) == 0:
        resource[draw(st.sampled_from(sorted(resource)))] = draw(JSON_VALUE)
    return resource


@st.composite
def fhir_files(draw):
    entries = draw(st.lists(observations(), max_size=8))
    bundle = {"resourceType": "Bundle", "type": "collection"}
    bundle["entry"] = [{"resource": r} for r in entries]
    if draw(st.booleans()):
        bundle[draw(st.sampled_from(["entry", "type", "resourceType"]))] = draw(JSON_VALUE)
    return json.dumps(bundle, allow_nan=True).encode()


PAST = st.dates(datetime.date(1990, 1, 1), datetime.date(2024, 12, 31)).map(str)


@st.composite
def plausible_csv_files(draw):
    """Mostly good rows with now and then a hostile cell, so imports also succeed."""
    rows = ["Date;Ferritin (µg/L);Hemoglobin (g/dL);Lab;Note"]
    for _ in range(draw(st.integers(1, 10))):
        cells = [
            draw(PAST),
            str(draw(st.integers(1, 2000))),
            draw(st.sampled_from(["", "12.5", "9", "14"])),
            draw(st.sampled_from(["City Lab", ""])),
            draw(st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=20)),
        ]
        if draw(st.integers(0, 4)) == 0:
            cells[draw(st.integers(0, 4))] = draw(HOSTILE_CELL)
        rows.append(";".join(c.replace(";", ",").replace("\n", " ") for c in cells))
    return "\n".join(rows).encode()


FILES = st.one_of(
    st.tuples(st.just("plausible.csv"), plausible_csv_files()),
    st.tuples(st.just("lab.csv"), csv_files()),
    st.tuples(st.just("portal.json"), fhir_files()),
    st.tuples(st.sampled_from(["x.csv", "x.json", "x.txt"]), st.binary(max_size=600)),
)


def snapshot():
    return {
        model.__name__: sorted(map(repr, model.objects.order_by("pk").values()))
        for model in (LabDraw, LabResult, Infusion, SymptomScore)
    }


@pytest.fixture
def parser_errors(caplog):
    caplog.set_level(logging.ERROR, logger="rlsapp.interop")
    return caplog


@EXAMPLES
@given(file=FILES)
def test_imports_survive_any_file(owner_client, patient, parser_errors, file):
    name, content = file
    parser_errors.clear()
    before = snapshot()
    response = owner_client.post(
        reverse("patient_import", args=[patient.pk]),
        {"file": SimpleUploadedFile(name, content, "application/octet-stream")},
    )
    assert response.status_code in (200, 302)
    assert not parser_errors.records, "a parser crashed on this file"
    assert snapshot() == before, "the upload wrote records before the person confirmed"
    if response.status_code == 200:
        event("refused")
        return
    preview = response["Location"]
    assert owner_client.get(preview).status_code == 200
    confirmed = owner_client.post(preview, {"action": "confirm"})
    assert confirmed.status_code in (200, 302)
    event("imported" if snapshot() != before else "nothing new")
    for draw in LabDraw.objects.filter(patient=patient).with_results():
        assert draw.results.all(), "a draw without results"
        for result in draw.results.all():
            info = units.ANALYTES[result.analyte]
            assert info.minimum <= result.value <= info.maximum
