"""What the draw form reads of a person's earlier draws (lab_entry.PastEntries, one query)
against the same worked out in Python from every draw and result: the units remembered
for the person and per lab, and the first draws of a day with their results."""

import datetime

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rlsapp.domain import regions, units
from rlsapp.tracking import lab_entry, services
from rlsapp.tracking.models import LabDraw, LabResult

# A number that reads as a plausible result in each unit of each analyte.
NUMBERS = {
    ("ferritin", "µg/L"): 64,
    ("ferritin", "ng/mL"): 64,
    ("ferritin", "pmol/L"): 150,
    ("hemoglobin", "g/dL"): 13,
    ("hemoglobin", "g/L"): 130,
    ("hemoglobin", "mmol/L"): 8,
    ("iron", "µg/dL"): 80,
    ("iron", "µmol/L"): 14,
    ("tibc", "µg/dL"): 300,
    ("tibc", "µmol/L"): 54,
}
LABS = ["City Lab", " city lab", "Other Lab", ""]
DAY = datetime.date(2026, 3, 2)
LIMIT = 2  # a day's draws read, small so that the cut is reached

a_draw = st.tuples(
    st.integers(0, 2),  # days after DAY
    st.sampled_from(LABS),
    # analyte -> unit; iron and TIBC without a TSAT make a calculated TSAT
    st.dictionaries(
        st.sampled_from(["ferritin", "hemoglobin", "iron", "tibc"]),
        st.sampled_from(["first", "second"]),
        max_size=4,
    ),
)


def _save(patient, offset, lab, picked):
    measurements = {}
    for code, which in picked.items():
        unit = [u for c, u in NUMBERS if c == code][0 if which == "first" else 1]
        measurements[code] = units.measure_number(code, NUMBERS[code, unit], unit)
    draw = LabDraw(patient=patient, drawn_on=DAY + datetime.timedelta(days=offset), lab_name=lab)
    services.save_draw(draw, measurements)
    return draw


def _expected(patient, day, exclude, lab):
    """Worked out from every draw and result, newest first, without the query's cuts."""
    draws = list(LabDraw.objects.filter(patient=patient).order_by("-drawn_on", "-pk"))
    results = {}
    for result in LabResult.objects.filter(draw__patient=patient).order_by("pk"):
        results.setdefault(result.draw_id, []).append(result)
    typed = [
        (d.lab_name.strip().casefold(), r.analyte, r.entered_unit, d.pk)
        for d in draws
        for r in sorted(results.get(d.pk, []), key=lambda r: r.pk)
        if not r.calculated and r.entered_unit in units.ANALYTES[r.analyte].units
    ]
    region = regions.REGIONS["GB"]
    chosen = {code: region.default_unit(code) for code in units.ANALYTES}
    wanted = lab.strip().casefold()
    for code in units.ANALYTES:
        theirs = [unit for _, analyte, unit, _ in typed if analyte == code]
        at_lab = [u for row_lab, a, u, _ in typed if a == code and wanted and row_lab == wanted]
        if at_lab or theirs:
            chosen[code] = (at_lab or theirs)[0]
    lab_units = {}
    for row_lab, analyte, unit, draw_id in typed:
        if wanted and row_lab == wanted and draw_id != exclude:
            lab_units.setdefault(analyte, unit)
    that_day = sorted(
        (d for d in draws if d.drawn_on == day and d.pk != exclude), key=lambda d: d.pk
    )
    same_day = [
        (d.pk, [_fields(r) for r in sorted(results.get(d.pk, []), key=lambda r: r.pk)])
        for d in that_day[:LIMIT]
    ]
    return chosen, lab_units, same_day, len(that_day) > LIMIT


def _fields(result):
    return (result.pk, result.analyte, result.value, result.comparator, result.entered_value,
            result.entered_unit, result.calculated)  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    history=st.lists(a_draw, max_size=7),
    day_offset=st.integers(0, 3),
    exclude_index=st.none() | st.integers(0, 6),
    lab=st.sampled_from(LABS + ["CITY LAB"]),
)
# An edit of the newest draw from a lab: the unit is the one of the draw before it.
@example(
    history=[(0, "City Lab", {"ferritin": "second"}), (1, "City Lab", {"ferritin": "second"})],
    day_offset=3,
    exclude_index=1,
    lab="City Lab",
)
def test_past_entries_read_what_every_draw_and_result_say(
    monkeypatch, patient, history, day_offset, exclude_index, lab
):
    monkeypatch.setattr(lab_entry.PastEntries, "SAME_DAY_LIMIT", LIMIT)
    LabDraw.objects.filter(patient=patient).delete()  # each example starts afresh
    saved = [_save(patient, *draw) for draw in history]
    exclude = (
        saved[exclude_index].pk
        if exclude_index is not None and exclude_index < len(saved)
        else None
    )
    day = DAY + datetime.timedelta(days=day_offset)
    past = lab_entry.PastEntries(patient, day, exclude)
    same_day = [
        (d.pk, [_fields(r) for r in sorted(d.preloaded_results, key=lambda r: r.pk)])
        for d in past.same_day
    ]
    found = (
        past.units(regions.REGIONS["GB"], lab),
        past.lab_units(lab),
        same_day,
        past.more_same_day,
    )
    assert found == _expected(patient, day, exclude, lab)


def test_a_days_results_are_made_as_read_rows_of_their_draw(patient, django_assert_num_queries):
    draw = _save(patient, 0, "City Lab", {"ferritin": "first", "iron": "first", "tibc": "first"})
    with django_assert_num_queries(1):
        (read,) = lab_entry.PastEntries(patient, DAY).same_day
        results = sorted(read.preloaded_results, key=lambda r: r.pk)
        assert all(r.draw is read for r in results)  # no query for the draw
    saved = sorted(draw.results.all(), key=lambda r: r.pk)
    assert [_fields(r) for r in results] == [_fields(r) for r in saved]
    assert len(results) == 4  # with the TSAT calculated from iron and TIBC
    assert {(r._state.adding, r._state.db) for r in results} == {(False, "default")}
