"""Random and hostile input through every tracking form's view: never a 500, never a partial
write. A refused form leaves the database exactly as it was; an accepted one writes one whole
record (a draw with all its results)."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from rlsapp.domain import units
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient, SymptomScore
from tests.fuzzing import through_views

EXAMPLES = through_views(max_examples=40)

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "NaN",
        "inf",
        "-inf",
        "1e309",
        "-0",
        "9" * 400,
        "１２",
        "١٢",
        "12,5",
        "<5",
        ">=1500",
        "< ",
        "2024-02-30",
        "0000-00-00",
        "99999-01-01",
        "25:61",
        "\u202e",
        "🩸" * 50,
    ]
)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
NUMBER = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
)
DATE = st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)).map(str)
TIME = st.times().map(lambda t: t.strftime("%H:%M"))


def anything(*valid):
    return st.one_of(*valid, HOSTILE, TEXT)


def unit_field(code):
    return st.one_of(st.sampled_from(list(units.ANALYTES[code].units)), HOSTILE)


def any_of_the_fields(**fields):
    """Form data with any subset of `fields`, each drawn from its strategy."""
    return st.fixed_dictionaries({}, optional=fields)


DRAW = any_of_the_fields(
    drawn_on=anything(DATE),
    lab_name=anything(),
    note=anything(),
    **{code: anything(NUMBER) for code in units.ANALYTES},
    **{f"{code}_unit": unit_field(code) for code in units.ANALYTES},
)
INFUSION = any_of_the_fields(
    given_on=anything(DATE),
    product=anything(st.sampled_from([c for c, _ in Infusion.PRODUCT_CHOICES])),
    product_other=anything(),
    dose_mg=anything(NUMBER),
    reaction=anything(),
    notes=anything(),
)
SYMPTOM = any_of_the_fields(
    recorded_on=anything(DATE),
    severity=anything(NUMBER, st.integers(-2, 12).map(str)),
    onset_time=anything(TIME),
    note=anything(),
)
PATIENT = any_of_the_fields(
    name=anything(),
    sex=anything(st.sampled_from(["", "F", "M"])),
    birth_date=anything(DATE),
    ferritin_threshold=anything(NUMBER),
    first_recheck_weeks=anything(NUMBER),
    routine_recheck_weeks=anything(NUMBER),
    first_recheck_min_weeks=anything(NUMBER),
    course_days=anything(NUMBER),
    reminder_lead_days=anything(NUMBER),
    due_soon_days=anything(NUMBER),
    use_population_slope=anything(st.sampled_from(["on", "true", ""])),
    population_slope=anything(NUMBER),
)
VERSION = st.one_of(st.just(None), anything(NUMBER))

PAST = st.dates(datetime.date(1950, 1, 1), datetime.date.today()).map(str)
PRINTABLE = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=100)
VALID = {
    "draw": st.fixed_dictionaries(
        {
            "drawn_on": PAST,
            "lab_name": PRINTABLE,
            "ferritin": st.integers(1, 9999).map(str),
            "ferritin_unit": st.just("µg/L"),
        },
        optional={"hemoglobin": st.integers(2, 25).map(str), "note": PRINTABLE},
    ),
    "infusion": st.fixed_dictionaries(
        {"given_on": PAST, "product": st.just("fcm"), "dose_mg": st.integers(10, 3000).map(str)},
        optional={"reaction": PRINTABLE},
    ),
    "symptom": st.fixed_dictionaries(
        {"recorded_on": PAST, "severity": st.integers(0, 10).map(str)},
        optional={"onset_time": TIME, "note": PRINTABLE},
    ),
    "patient": st.fixed_dictionaries(
        {
            "name": PRINTABLE.filter(str.strip),
            "ferritin_threshold": st.integers(10, 1000).map(str),
            "first_recheck_weeks": st.integers(1, 52).map(str),
            "routine_recheck_weeks": st.integers(1, 104).map(str),
            "first_recheck_min_weeks": st.integers(1, 52).map(str),
            "course_days": st.integers(1, 42).map(str),
            "reminder_lead_days": st.integers(0, 120).map(str),
            "due_soon_days": st.integers(1, 90).map(str),
            "population_slope": st.integers(1, 50).map(str),
        }
    ),
}


def mixed(kind, random):
    """Wholly random data, valid data, or valid data with one hostile field."""
    valid = VALID[kind]
    one_bad = st.tuples(valid, random.filter(bool)).map(
        lambda pair: pair[0] | dict([next(iter(pair[1].items()))])
    )
    return st.one_of(random, valid, one_bad)


DRAW, INFUSION, SYMPTOM, PATIENT = (
    mixed("draw", DRAW),
    mixed("infusion", INFUSION),
    mixed("symptom", SYMPTOM),
    mixed("patient", PATIENT),
)


def snapshot():
    """Every tracked row, as plain values (the whole database for these models)."""
    return {
        model.__name__: sorted(map(repr, model.objects.order_by("pk").values()))
        for model in (Patient, LabDraw, LabResult, Infusion, SymptomScore)
    }


def check(response, before, accepted):
    assert response.status_code in (200, 302), response.status_code
    event("accepted" if response.status_code == 302 else "refused")
    after = snapshot()
    if response.status_code == 200:
        assert after == before, "a refused form changed the database"
    else:
        accepted(before, after)


def one_more(name):
    def accepted(before, after):
        assert len(after[name]) == len(before[name]) + 1

    return accepted


def whole_draws(before, after):
    assert len(after["LabDraw"]) >= len(before["LabDraw"])
    for draw in LabDraw.objects.with_results():
        assert draw.results.all(), "a draw without results"
        for result in draw.results.all():
            info = units.ANALYTES[result.analyte]
            assert info.minimum <= result.value <= info.maximum


@pytest.fixture
def post(owner_client):
    def send(url, data):
        return owner_client.post(url, {k: v for k, v in data.items() if v is not None})

    return send


@EXAMPLES
@given(data=DRAW)
def test_the_draw_form_survives_anything(post, patient, data):
    before = snapshot()
    check(post(reverse("draw_create", args=[patient.pk]), data), before, whole_draws)


@EXAMPLES
@given(data=INFUSION)
def test_the_infusion_form_survives_anything(post, patient, data):
    before = snapshot()
    check(post(reverse("infusion_create", args=[patient.pk]), data), before, one_more("Infusion"))


@EXAMPLES
@given(data=SYMPTOM)
def test_the_symptom_form_survives_anything(post, patient, data):
    before = snapshot()
    response = post(reverse("symptom_create", args=[patient.pk]), data)
    check(response, before, one_more("SymptomScore"))


@EXAMPLES
@given(data=PATIENT)
def test_the_new_person_form_survives_anything(post, owner, data):
    before = snapshot()
    check(post(reverse("patient_create"), data), before, one_more("Patient"))


@pytest.fixture
def existing(patient, today):
    draw = LabDraw.objects.create(patient=patient, drawn_on=today)
    LabResult.objects.create(
        draw=draw, analyte="ferritin", value=80, entered_value="80", entered_unit="µg/L"
    )
    return {
        "draw": draw,
        "infusion": Infusion.objects.create(patient=patient, given_on=today),
        "symptom": SymptomScore.objects.create(patient=patient, recorded_on=today, severity=4),
        "patient": patient,
    }


def edited(before, after):
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()} or (
        len(after["LabResult"]) != len(before["LabResult"])
    )
    whole_draws(before, after)


@EXAMPLES
@given(
    kind_and_data=st.one_of(
        st.tuples(st.just("draw"), DRAW),
        st.tuples(st.just("infusion"), INFUSION),
        st.tuples(st.just("symptom"), SYMPTOM),
        st.tuples(st.just("patient"), PATIENT),
    ),
    version=VERSION,
)
def test_the_edit_forms_survive_anything(owner_client, post, existing, kind_and_data, version):
    kind, data = kind_and_data
    obj = existing[kind]
    obj.refresh_from_db()
    url = reverse(f"{kind}_edit", args=[obj.pk])
    before = snapshot()
    response = post(url, data | {"version": str(obj.version) if version is None else version})
    check(response, before, edited)
    if response.status_code == 302:
        old_version = obj.version
        obj.refresh_from_db()
        assert obj.version == old_version + 1
