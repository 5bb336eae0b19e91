"""A person's page, built from the database: the newest rows of each table, the latest
value of each test, the open re-check, and what the charts section says in words.

The charts themselves are drawn from the chart JSON (charts/views.py), and the estimate's
details and each infusion's numbers are on the charts page; so this page runs no fit and
reads no whole history: what it says of the charts comes with the newest result of
each test.
"""

from django.template.loader import render_to_string
from django.utils import timezone

from rlsapp.charts.data import BLOOD_SERIES
from rlsapp.domain import units
from rlsapp.reminders.models import Reminder
from rlsapp.tracking import access_log, compiled, record_rows, statements
from rlsapp.tracking.memberships import is_me
from rlsapp.tracking.models import Infusion, LabResult, SymptomScore
from rlsapp.tracking.templatetags.tracking_tags import account_region
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse

from . import person_sections

RECENT_ROWS = 10


def _newest(model, rows):
    """The person's newest `rows` records of a model (its default order is newest first),
    compiled once (tracking/compiled.py) and run for each person."""
    return lambda person: model.objects.filter(patient_id=person)[:rows]


# The page's small queries, each a function of the person's id alone.
QUERIES = {
    # Every infusion (a few dozen at most): the table shows the newest, and each result's
    # "after infusion" flag needs the days of all of them.
    "infusions": lambda person: Infusion.objects.filter(patient_id=person),
    # One more than shown, to know whether there are more (no count).
    "scores": _newest(SymptomScore, RECENT_ROWS + 1),
    "courses": _newest(OralIronCourse, RECENT_ROWS),
    "medications": _newest(Medication, RECENT_ROWS),
    # Those medicines' dose changes and events, as prefetch_related reads them, here
    # instead of in a statement of their own.
    "events": lambda person: MedicationEvent.objects.filter(
        medication__in=_newest(Medication, RECENT_ROWS)(person)
    ),
    "recheck": lambda person: Reminder.objects.filter(patient_id=person).open().order_by("pk")[:1],
}


def _read_all(person) -> dict[str, list]:
    # One statement for the six (compiled.together); prepared on PostgreSQL: each
    # parameter is the person's id or text compared with a column (the re-check's statuses).
    # Its rows in binary format: no column is one Django reads as text (json, inet), so
    # each loads to the same value as from text, with less parsing.
    return compiled.together("person-page", QUERIES, prepared=True, binary=True, person=person.pk)


def chart_outline(patient, latest, has_infusions, has_scores, courses, medications):
    """What the charts section writes around the charts (charts/history_chart.html,
    person_sections.chart_words and overlay), with the keys the full chart data gives
    them. `latest`: the newest result of each test, with its test's count, first day and
    left-out count (LabResult.objects.recent_and_latest)."""
    newest = latest.get("ferritin")
    n_ferritin, first_ferritin, left_out = (
        (newest.n, newest.first, newest.left_out) if newest else (0, None, 0)
    )
    if n_ferritin == 0:
        history_state = "no_ferritin"
    elif n_ferritin == 1 and not has_infusions:
        history_state = "one_ferritin"
    else:
        history_state = None
    # The one-result note names it (charts/history_chart.html, as for the chart data's).
    one = []
    if newest:
        day = newest.draw.drawn_on
        one = [{"date": day, "value": newest.value, "comparator": newest.comparator}]
        if history_state == "one_ferritin":
            periods = record_rows.periods_of(patient, courses)
            one[0]["left_out"] = record_rows.left_out_of(newest.draw, periods)
    return {
        "states": {"history": history_state, "overlay": None if has_infusions else "no_infusions"},
        "threshold": patient.ferritin_threshold,
        "ferritin": one,
        "ferritin_count": n_ferritin,
        "first_ferritin_on": first_ferritin,
        "latest_ferritin": newest,
        "left_out_by_hand": left_out,
        "episodes": has_infusions,
        "infusions": has_infusions,
        "symptoms": has_scores,
        "blood": [
            {
                "code": code,
                "label": units.ANALYTES[code].label,
                "unit": units.ANALYTES[code].display_unit,
                "points": code in latest,
            }
            for code in BLOOD_SERIES
        ],
        "courses": bool(courses),
        "oral_iron_left_out": patient.leave_out_oral_iron,
        "medicines": bool(medications),
        # The estimate's words are on the re-check card above and on the charts page.
        "projection": None,
    }


def render_person_page(request, patient) -> dict:
    """The page's title and body."""
    # The request's access-log row rides in the page's first read (when it is this page's)
    # where the database writes in a read; elsewhere the log writes it after the response,
    # and building it here (its address looked up) would be thrown away.
    results = LabResult.objects
    logged = None
    if statements.one_statement(results.db):
        logged = access_log.row_ahead(patient.pk, read=True)
    draws, more_draws, latest = results.recent_and_latest(
        patient, RECENT_ROWS, write_log_row=logged
    )
    read = _read_all(patient)
    all_infusions, scores, courses = read["infusions"], read["scores"], read["courses"]
    medications, recheck = read["medications"], read["recheck"]
    compiled.as_prefetched(medications, "events", read["events"])
    context = {
        "patient": patient,
        "today": timezone.localdate(),
        "summary": getattr(patient, "status", None),
        "latest": [latest[code] for code in units.ANALYTES if code in latest],
        "charts": chart_outline(
            patient,
            latest,
            bool(all_infusions),
            bool(scores),
            courses,
            medications,
        ),
        # For each result's flag: a high soon after an infusion is explained, not alarmed.
        "infusion_days": sorted(infusion.given_on for infusion in all_infusions),
        "draws": draws,
        "more_draws": more_draws,
        "infusions": all_infusions[:RECENT_ROWS],
        "more_infusions": len(all_infusions) > RECENT_ROWS,
        "symptom_scores": scores[:RECENT_ROWS],
        "more_scores": len(scores) > RECENT_ROWS,
        "courses": courses,
        "medications": medications,
        "recheck": recheck[0] if recheck else None,
    }
    context["page"] = person_sections.sections(
        context, is_me(request.user, patient), account_region(request)
    )
    # Without the request's context processors: the body holds nothing per request (it is
    # cached whole); the request itself is there for the reader's words ({% whose %}).
    context["request"] = request
    body = render_to_string("tracking/patient_page.html", context)
    _let_go(draws, medications)
    return {"title": patient.name, "body": body}


def _let_go(draws, medications) -> None:
    """Each recent draw lists its results and each result holds its draw, and each medicine
    holds its events' queryset, which holds the medicine: cycles, which reference counting
    cannot free, so every page left some hundred objects to the cycle collector and ran it
    more often. The page is written: the links are dropped, and the rows go with it."""
    for draw in draws:
        del draw.preloaded_results
    for medication in medications:
        # Where as_prefetched (as prefetch_related) put the events.
        del medication._prefetched_objects_cache
