"""The numbers behind the charts and the infusion table, as one JSON-ready dict.

The same dict feeds the JSON endpoint (drawn by static/js/patient_charts.js), the
HTML tables on the patient page and the printable report, so the chart and the
table can never disagree. All fitting is done by rlsapp.domain.kinetics and the
estimate with its 80 % window by rlsapp.domain.estimate.

Its days are dates, not text: orjson writes a date as date.isoformat() writes it, in C,
where isoformat is a Python call per day (a ten-year history has hundreds of symptom
scores alone), and the templates format them as dates.
"""

from bisect import bisect_left
from datetime import date, timedelta
from operator import itemgetter

import orjson

from rlsapp.domain import estimate as estimates
from rlsapp.domain import formats, kinetics, past_episodes, regions, units
from rlsapp.tracking import fit_inputs, past_estimates

from . import treatments
from .queries import History

REFERENCE_LINES = [
    (75, "75 µg/L: AASM advises iron at or below"),
    (300, "300 µg/L: IRLSSG considers IV iron below"),
]
BLOOD_SERIES = ("hemoglobin", "hematocrit", "tsat")
# The tests whose results the chart data reads (queries.load_history reads no other for it).
CHART_ANALYTES = ("ferritin", *BLOOD_SERIES)
DISCLAIMER = (
    "rlsapp tracks; it does not give medical advice. Fitted lines and estimated dates are "
    "estimates from the results entered, not a diagnosis. Tests and treatment are decided "
    "with the treating clinician."
)
# Points along the drawn band: enough for a smooth curve, few enough for the JSON.
BAND_STEPS = 16
# How far past the latest result the band is drawn (issue 16 item 5): as far again as the
# history shown, so a person's results keep most of a phone-wide chart, at least half a
# year, stretched to show the estimated date plus a month if that is within a year, never
# more than a year.
HORIZON_MIN_DAYS = 183
HORIZON_MAX_DAYS = 365
HORIZON_MARGIN_DAYS = 30


def _r(value, digits=1):
    """round(value, digits), None for None. A whole float is its own rounding to digits >= 0,
    and most ferritin results are whole (round works through the decimal digits)."""
    if value is None:
        return None
    if value.__class__ is float and digits >= 0 and value.is_integer():
        return value
    return round(value, digits)


def _point(p: kinetics.Point | None):
    if p is None:
        return None
    return {"date": p.day, "value": _r(p.value), "comparator": p.comparator}


def _weeks(start: date, end: date) -> float:
    return round((end - start).days / 7, 1)


def _fit(fit: kinetics.Fit | None, episode: kinetics.Episode):
    if fit is None:
        return None
    data = {
        "slope_per_week": _r(fit.slope_per_week, 4 if fit.kind == "loglinear" else 2),
        "intercept": _r(fit.intercept, 4 if fit.kind == "loglinear" else 2),
        # Rounded as the table shows them; None where they mean nothing (2 points, flat).
        "r_squared": _r(fit.shown_r_squared, 2),
        "n_points": fit.n_points,
    }
    if fit.kind == "linear":
        data["decline_per_week"] = _r(fit.decline_per_week, 1)
        # The fitted segment over the weeks its points cover, for the overlay chart.
        first, last = episode.decline_points[0].day, episode.decline_points[-1].day
        data["line"] = [
            {"weeks": _weeks(fit.origin, d), "value": _r(fit.value_at(d))} for d in (first, last)
        ]
        # A straight line through a fall that levels off low ends below zero, and the chart's
        # axis would follow it. Ferritin is never negative; the line stops at zero.
        if fit.value_at(last) < 0 < fit.value_at(first):
            data["line"][1] = {"weeks": round(-fit.intercept / fit.slope_per_week, 1), "value": 0}
    else:
        data["half_life_weeks"] = _r(fit.shown_half_life_weeks)
    return data


def _below(episode, seen, estimate):
    """Weeks from the infusion until ferritin was (observed: `seen`, the episode's
    kinetics.observed_crossing) or is estimated to be below."""
    if seen is not None:
        return {
            "weeks": _weeks(episode.dose.day, seen.day),
            "date": seen.day,
            "kind": "observed",
        }
    if estimate is None or not estimate.has_date:
        return None
    return {
        "weeks": _weeks(episode.dose.day, estimate.crossing),
        "date": estimate.crossing,
        "early_weeks": _weeks(episode.dose.day, estimate.early),
        "late_weeks": _weeks(episode.dose.day, estimate.late) if estimate.late else None,
        "kind": "population" if estimate.is_population_only else "estimate",
    }


def _horizon(ferritin, infusions, estimate):
    """The last day the band is drawn to, or None without a ferritin result."""
    if not ferritin:
        return None
    latest = ferritin[-1].day
    first = min([ferritin[0].day, *(i.day for i in infusions[:1])])
    ahead = max((latest - first).days, HORIZON_MIN_DAYS)
    if estimate is not None and estimate.crossing:
        # Stretched to show the estimated date, unless that lies past the year anyway.
        to_crossing = (estimate.crossing - latest).days + HORIZON_MARGIN_DAYS
        if to_crossing <= HORIZON_MAX_DAYS:
            ahead = max(ahead, to_crossing)
    return latest + timedelta(days=min(ahead, HORIZON_MAX_DAYS))


def _projection(estimate: estimates.Estimate | None, episode, threshold, horizon=None):
    """The current episode's estimate: its words, its window and the band to draw, cut at
    `horizon` (the words keep the whole window)."""
    if estimate is None:
        return None
    data = {
        "status": estimate.status,
        "model": estimate.model,
        "sources": list(estimate.sources),
        "basis": estimate.basis,
        "is_population_default": estimate.is_population_only,
        "explanation": estimate.explanation,
        "window": estimates.window_words(estimate),
        "crossing": estimate.crossing,
        "early": estimate.early,
        "late": estimate.late,
        "n_points": estimate.n_points,
        "n_episodes": estimate.n_episodes,
        "decline_per_week": _r(estimate.decline_per_week, 2),
        "half_life_weeks": _r(estimate.half_life_weeks),
        "from": None,
        "band": [],
        "band_cut": False,
        "fit_line": None,
    }
    trend = estimate.trend
    if trend is None:
        return data
    usable = [p for p in episode.decline_points if p.usable]
    days = [usable[0].day, usable[-1].day] if len(usable) > 1 else []
    data["fit_line"] = [{"date": d, "value": _r(trend.at(d))} for d in days] or None
    if estimate.has_date:
        start = estimate.start
        data["from"] = _point(start)
        end = estimate.late or (episode.end - timedelta(days=1) if episode.end else None)
        if horizon is not None and (end is None or end > horizon):
            end, data["band_cut"] = max(horizon, start.day), True
        span = (end - start.day).days
        band = []
        for i in range(BAND_STEPS + 1):
            d = start.day + timedelta(days=round(span * i / BAND_STEPS))
            band.append(
                {
                    "date": d,
                    "low": _r(trend.at(d, -kinetics.Z90)),
                    "mid": _r(trend.at(d)),
                    "high": _r(trend.at(d, kinetics.Z90)),
                }
            )
        data["band"] = band
    return data


def _series(results, marked=None):
    """Results as chart points; `marked`: each one's (Point, why left out), for ferritin."""
    if marked is None:
        return [
            {
                "date": day,
                "value": _r(value, 2),
                "comparator": comparator,
                "lab": lab,
                "excluded": False,
            }
            for _analyte, day, value, comparator, lab, _reason, _note, _after, _draw in results
        ]
    return [
        {
            "date": r.day,
            "value": _r(r.value, 2),
            "comparator": r.comparator,
            "lab": r.lab_name,
            "excluded": point.excluded,
            "left_out": words,
        }
        for r, (point, words) in zip(results, marked, strict=True)
    ]


_SYMPTOM = b'{"date":"%b","value":%d}'.__mod__
_SEVERITY = itemgetter(1)


def _symptoms(days, scores):
    """The scores as the chart's points, [{"date": day, "value": severity}, ...], already
    written as orjson writes them (an orjson.Fragment), or [] without scores (the pages
    read only whether there are any). A ten-year history has hundreds of scores, and a
    dict each, alive until the JSON is written, was most of the objects this view makes:
    Python's garbage collector runs by the count of such objects. orjson writes the days
    (a date as its ISO text, with no quote or comma in it); each point is formatted from
    its day's text and its severity (an int), as orjson would write the dict."""
    if not scores:
        return []
    isos = orjson.dumps(days)[2:-2].split(b'","')
    points = b",".join(map(_SYMPTOM, zip(isos, map(_SEVERITY, scores), strict=True)))
    return orjson.Fragment(b"[" + points + b"]")


def _course_rows(infusions, courses):
    """The infusion rows of each course (a split-dose course is one episode)."""
    rows, i = [], 0
    for course in courses:
        rows.append(infusions[i : i + course.count])
        i += course.count
    return rows


def build_chart_data(patient, history: History, today: date, region=None) -> dict:
    """`region`: the reading account's (Region), for the numbers Chart.js writes; the
    owner's without one (a read-only link's reader has no account)."""
    # The same settings and left-out points as the re-check card (tracking.fit_inputs).
    settings = fit_inputs.settings_for(patient)
    threshold = settings.threshold
    by_analyte = {code: [] for code in CHART_ANALYTES}
    for r in history.results:
        series = by_analyte.get(r.analyte)
        if series is not None:  # another test's, in a history read for more than the charts
            series.append(r)
    ferritin = by_analyte["ferritin"]
    # Left out: a draw marked by hand, or one during an oral iron course (issue 17).
    periods = fit_inputs.left_out_periods(patient, history.treatments.courses)
    marked = [
        fit_inputs.ferritin_point(
            r.day,
            r.value,
            r.comparator,
            r.lab_name,
            r.left_out_reason,
            r.left_out_note,
            r.after_infusion,
            periods,
        )
        for r in ferritin
    ]
    points = [point for point, _words in marked]
    doses = [kinetics.Dose(i.day, i.dose_mg, i.label) for i in history.infusions]
    courses = kinetics.group_courses(doses, settings.course_days)
    episodes = kinetics.split_episodes(points, courses)
    population = settings.prior_slope

    # Each episode's scores by bisection: a ten-year history has hundreds of scores and
    # a dozen or more episodes, too many to scan once per episode. History's scores are in
    # order (by day, then severity).
    scores = history.scores
    score_days = [day for day, _ in scores]
    rows = []
    previous_labs = ()
    current_projection = None
    by_course = _course_rows(history.infusions, courses)
    # Each episode's estimate with the episodes before it as its history; a past one only
    # when it was never seen below the threshold (then the estimate says when). Past ones
    # as stored for what this history holds (tracking/past_estimates.py), if they are.
    seen = [kinetics.observed_crossing(e, threshold) for e in episodes]
    stored = {}
    if history.past:
        stored = past_estimates.stored(*history.past, points, courses, settings) or {}
    wanted = {
        id(e)
        for e, crossing in zip(episodes, seen, strict=True)
        if past_episodes.shown(e, crossing) and (e.is_current or e.dose.start not in stored)
    }
    each = estimates.estimate_each(
        episodes,
        threshold,
        lambda e: id(e) in wanted,
        population_slope=population,
        population_spread=settings.population_spread,
    )
    if stored:
        each = [
            stored.get(e.dose.start) if id(e) not in wanted and past_episodes.shown(e, c) else est
            for e, est, c in zip(episodes, each, seen, strict=True)
        ]
    for index, (episode, infusions, estimate, crossing) in enumerate(
        zip(episodes, by_course, each, seen, strict=True)
    ):
        if episode.is_current:
            horizon = _horizon(ferritin, history.infusions, estimate)
            current_projection = _projection(estimate, episode, threshold, horizon)
        first = bisect_left(score_days, episode.dose.start)
        last = len(scores) if episode.end is None else bisect_left(score_days, episode.end)
        episode_scores = scores[first:last]
        returned = kinetics.symptoms_returned(episode, episode_scores)
        labs = episode.labs
        dose_day = episode.dose.day
        rows.append(
            {
                "number": index + 1,
                "date": episode.dose.day,
                "first_date": episode.dose.start,
                "doses": episode.dose.count,
                "end": episode.end,
                "is_current": episode.is_current,
                "product": " + ".join(dict.fromkeys(i.product_label for i in infusions)),
                "dose_mg": episode.dose.dose_mg,
                "label": episode.dose.label,
                "labs": list(labs),
                "lab_change": kinetics.lab_change(previous_labs, labs),
                "oral_iron": treatments.during(history.treatments, episode),
                # The model the episode's dates come from (the table shows which).
                "model": (estimate.model if estimate and estimate.model else None)
                or (kinetics.choose_model(episode) if episode.linear else None),
                "baseline": _point(episode.baseline),
                "peak": _point(episode.peak),
                "points": [
                    {
                        "weeks": round((p.day - dose_day).days / 7, 1),
                        "value": _r(p.value),
                        "comparator": p.comparator,
                        "date": p.day,
                        "excluded": p.excluded,
                    }
                    for p in episode.points
                ],
                "linear": _fit(episode.linear, episode),
                "loglinear": _fit(episode.loglinear, episode),
                "no_fit_reason": episode.no_fit_reason,
                "decline_points": len(episode.decline_points),
                "below_threshold": _below(episode, crossing, estimate),
                "symptoms_returned": (
                    {"weeks": _weeks(episode.dose.day, returned), "date": returned}
                    if returned
                    else None
                ),
                "has_scores": bool(episode_scores),
            }
        )
        previous_labs = labs

    return {
        "today": today,
        # The reading account's region, for the numbers Chart.js writes on axes and in
        # tooltips: its own, not the owner's, and so in the account's cached chart JSON.
        "locale": (region or patient.owner.region_rules).locale.replace("_", "-"),
        "threshold": threshold,
        "reference_lines": [{"value": v, "label": label} for v, label in REFERENCE_LINES],
        "population_slope": population,
        "spike_weeks": kinetics.SPIKE_WEEKS,
        "symptom_return_level": kinetics.SYMPTOM_RETURN_LEVEL,
        "ferritin": _series(ferritin, marked),
        "oral_iron_left_out": patient.leave_out_oral_iron,
        # Results left out by hand (a reason on the draw), for the caption.
        "left_out_by_hand": sum(1 for r in ferritin if r.left_out_reason),
        **treatments.chart_json(history.treatments),
        "blood": [
            {
                "code": code,
                "label": units.ANALYTES[code].label,
                "unit": units.ANALYTES[code].display_unit,
                "points": _series(by_analyte[code]),
            }
            for code in BLOOD_SERIES
        ],
        "symptoms": _symptoms(score_days, scores),
        "infusions": [
            {
                "date": i.day,
                "product": i.product_label,
                "dose_mg": i.dose_mg,
                "label": i.label,
            }
            for i in history.infusions
        ],
        "episodes": rows,
        "projection": current_projection,
        "states": _states(ferritin, rows),
        "disclaimer": DISCLAIMER,
    }


def _states(ferritin, rows):
    """What each chart lacks, so the page explains what to enter instead of drawing nothing."""
    if not ferritin:
        history = "no_ferritin"
    elif len(ferritin) == 1 and not rows:
        history = "one_ferritin"
    else:
        history = None
    if not rows:
        overlay = "no_infusions"
    elif not any(len(r["points"]) >= 2 for r in rows):
        overlay = "no_points"
    else:
        overlay = None
    return {"history": history, "overlay": overlay, "table": None if rows else "no_infusions"}


def latest_values(history: History, region=None, threshold=None):
    """The newest result of each analyte, in the order units.ANALYTES lists them, written
    the way the account's region writes numbers (the international region by default),
    never rounded onto the person's ferritin `threshold` or a range's end."""
    region = region or regions.get(None)
    newest = {}
    for r in history.results:  # oldest first, so later rows win
        newest[r.analyte] = r
    return [
        {
            "code": code,
            "label": units.ANALYTES[code].label,
            "display": formats.format_result(code, r.value, r.comparator, region, threshold),
            "date": r.day,
            "lab": r.lab_name,
        }
        for code in units.ANALYTES
        if (r := newest.get(code))
    ]
