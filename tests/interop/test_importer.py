import datetime

import pytest

from bench.csv_import import synthetic_csv, time_import
from rlsapp.interop.importer import import_rows, plan_import
from rlsapp.interop.parsed import (
    ParsedDraw,
    ParsedImport,
    ParsedInfusion,
    ParsedResult,
    ParsedSymptom,
)
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, SymptomScore

pytestmark = pytest.mark.django_db

DAY = datetime.date(2023, 3, 1)

# No oral iron courses or medicines in these files.
NO_TREATMENTS = {"courses": 0, "medicines": 0}


def result(analyte="ferritin", value=50.0, comparator=""):
    return ParsedResult(analyte, value, comparator, f"{comparator}{value:g}", "µg/L")


def parsed(*draws, infusions=(), symptoms=()):
    return ParsedImport("csv", list(draws), list(infusions), list(symptoms))


def test_it_writes_draws_results_infusions_and_scores(patient):
    outcome = import_rows(
        patient,
        parsed(
            ParsedDraw([2], DAY, "Quest", "note", [result(), result("tsat", 12.0)]),
            infusions=[ParsedInfusion([3], DAY, "fcm", "", 1000)],
            symptoms=[ParsedSymptom([4], DAY, 6, datetime.time(21, 0))],
        ),
    )
    assert (
        outcome.created
        == {"draws": 1, "results": 2, "infusions": 1, "symptom_scores": 1} | NO_TREATMENTS
    )
    draw = LabDraw.objects.get(patient=patient)
    assert (draw.lab_name, draw.note) == ("Quest", "note")
    assert set(draw.result_map()) == {"ferritin", "tsat"}
    assert Infusion.objects.get().dose_mg == 1000
    assert SymptomScore.objects.get().onset_time == datetime.time(21, 0)


def test_imported_records_enter_the_change_history_as_added_by_the_user(patient, owner):
    import_rows(
        patient,
        parsed(
            ParsedDraw([2], DAY, "", "", [result()]),
            infusions=[ParsedInfusion([3], DAY, "fcm", "", 1000)],
        ),
    )
    for model in (LabDraw, LabResult, Infusion):
        entry = model.history.get()
        assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
            "+",
            owner,
            "imported from a file",
        )


def test_results_already_saved_are_skipped_and_counted(patient):
    data = parsed(ParsedDraw([2], DAY, "", "", [result()]))
    import_rows(patient, data)
    outcome = import_rows(patient, data)
    assert outcome.created["results"] == 0
    assert outcome.skipped_total == 1
    assert LabResult.objects.count() == 1


def test_a_new_analyte_on_a_saved_date_joins_the_saved_draw(patient):
    import_rows(patient, parsed(ParsedDraw([2], DAY, "Quest", "", [result()])))
    outcome = import_rows(
        patient, parsed(ParsedDraw([2], DAY, "quest", "", [result(), result("tsat", 20.0)]))
    )
    assert (
        outcome.created
        == {"draws": 0, "results": 1, "infusions": 0, "symptom_scores": 0} | NO_TREATMENTS
    )
    assert LabDraw.objects.count() == 1
    assert LabDraw.objects.get().results.count() == 2


def test_a_different_value_on_the_same_date_makes_a_second_draw(patient):
    import_rows(patient, parsed(ParsedDraw([2], DAY, "", "", [result(value=50.0)])))
    import_rows(patient, parsed(ParsedDraw([2], DAY, "", "", [result(value=60.0)])))
    assert LabDraw.objects.count() == 2


def test_rows_of_one_file_for_the_same_draw_share_it(patient):
    outcome = import_rows(
        patient,
        parsed(
            ParsedDraw([2], DAY, "", "", [result()]),
            ParsedDraw([3], DAY, "", "", [result("hemoglobin", 12.0)]),
        ),
    )
    assert outcome.created["draws"] == 1
    assert LabDraw.objects.get().results.count() == 2


def test_infusions_and_scores_already_saved_are_skipped(patient):
    data = parsed(
        infusions=[ParsedInfusion([2], DAY, "fcm", "", 1000)],
        symptoms=[ParsedSymptom([3], DAY, 4)],
    )
    import_rows(patient, data)
    outcome = import_rows(patient, data)
    assert outcome.created["infusions"] == outcome.created["symptom_scores"] == 0
    assert (
        outcome.skipped_duplicates
        == {"results": 0, "infusions": 1, "symptom_scores": 1} | NO_TREATMENTS
    )


def test_the_plan_marks_each_record_without_writing(patient):
    import_rows(patient, parsed(ParsedDraw([2], DAY, "", "", [result()])))
    plan = plan_import(
        patient,
        parsed(
            ParsedDraw([2], DAY, "", "", [result()]),
            ParsedDraw([3], DAY + datetime.timedelta(days=1), "", "", [result()]),
            ParsedDraw([4], DAY, "", "", [result(), result("tsat", 20.0)]),
        ),
    )
    assert [d.status for d in plan.draws] == ["duplicate", "new", "partial"]
    assert LabDraw.objects.count() == 1


def test_a_failure_writes_nothing(patient, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Infusion._default_manager, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        import_rows(
            patient,
            parsed(
                ParsedDraw([2], DAY, "", "", [result()]),
                infusions=[ParsedInfusion([3], DAY, "fcm", "", 1000)],
            ),
        )
    assert not LabDraw.objects.exists()
    assert not LabResult.objects.exists()


def test_an_import_schedules_the_re_check_in_its_own_transaction(patient):
    from rlsapp.reminders.models import Reminder

    import_rows(
        patient,
        parsed(
            ParsedDraw([2], DAY, "", "", [result(value=300.0)]),
            infusions=[ParsedInfusion([3], DAY - datetime.timedelta(days=30), "fcm", "", 1000)],
        ),
    )
    assert Reminder.objects.filter(patient=patient).open().exists()


def test_an_import_with_iron_and_tibc_stores_the_calculated_tsat(patient):
    import_rows(
        patient,
        parsed(
            ParsedDraw(
                [2],
                DAY,
                "",
                "",
                [result("iron", 90.0), result("tibc", 300.0), result("ferritin", 40.0)],
            )
        ),
    )
    tsat = LabResult.objects.get(draw__patient=patient, analyte="tsat")
    assert tsat.calculated
    assert tsat.value == pytest.approx(30.0)


def test_an_import_keeps_the_tsat_the_lab_printed(patient):
    results = [result("iron", 90.0), result("tibc", 300.0), result("tsat", 29.0)]
    import_rows(patient, parsed(ParsedDraw([2], DAY, "", "", results)))
    tsat = LabResult.objects.get(draw__patient=patient, analyte="tsat")
    assert (tsat.value, tsat.calculated) == (29.0, False)


def test_ten_thousand_rows_import_with_bulk_writes(patient, django_assert_max_num_queries):
    data = synthetic_csv(10_000)
    # Bulk inserts of 12,500 records and their 12,500 history entries: about 35
    # queries on PostgreSQL (1,000 rows a batch); SQLite's 999-parameter limit makes
    # batches of 60 to 140 rows, so about 250 there (269 in all, measured, once a draw
    # had three more columns: why it is left out of the fits, and whether it was taken
    # after an infusion). One query per row would be 25,000.
    with django_assert_max_num_queries(280):
        timings = time_import(patient, data)
    assert timings["rows"] == 10_000
    assert timings["created"] == 2_500 + 10_000
    assert LabResult.objects.filter(draw__patient=patient).count() == 10_000
    # How fast is for `make bench` (bench/results.md), not for a test on a shared machine.


def test_iron_and_tibc_imported_into_a_saved_draw_get_their_tsat(patient):
    from rlsapp.domain.units import Measurement
    from rlsapp.tracking import services

    draw = LabDraw(patient=patient, drawn_on=DAY, lab_name="")
    services.save_draw(draw, {"ferritin": Measurement("ferritin", 40.0, "", "40", "µg/L")})
    import_rows(
        patient,
        parsed(ParsedDraw([2], DAY, "", "", [result("iron", 90.0), result("tibc", 300.0)])),
    )
    tsat = LabResult.objects.get(draw__patient=patient, analyte="tsat")
    assert (tsat.draw_id, tsat.calculated, round(tsat.value, 1)) == (draw.pk, True, 30.0)
