"""The numbers behind the charts and the infusion table, as one JSON-ready dict.

The same dict feeds the JSON endpoint (drawn by static/js/patient_charts.js), the
HTML tables on the patient page and the printable report, so the chart and the
table can never disagree. All fitting is done by rlsapp.domain.kinetics.
"""

from bisect import bisect_left
from datetime import date

from rlsapp.domain import kinetics, units

from .queries import History

REFERENCE_LINES = [
    (75, "75 µg/L: AASM advises iron at or below"),
    (300, "300 µg/L: IRLSSG considers IV iron below"),
]
BLOOD_SERIES = ("hemoglobin", "hematocrit", "tsat")
COMPARATOR_SYMBOLS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}
DISCLAIMER = (
    "rlsapp tracks; it does not give medical advice. Fitted lines and predicted dates are "
    "estimates from the results entered, not a diagnosis. Decide on tests and treatment "
    "with your clinician."
)


def _r(value, digits=1):
    return None if value is None else round(value, digits)


def _point(p: kinetics.Point | None):
    if p is None:
        return None
    return {"date": p.day.isoformat(), "value": _r(p.value), "comparator": p.comparator}


def _weeks(start: date, end: date) -> float:
    return round((end - start).days / 7, 1)


def _fit(fit: kinetics.Fit | None, episode: kinetics.Episode):
    if fit is None:
        return None
    data = {
        "slope_per_week": _r(fit.slope_per_week, 4 if fit.kind == "loglinear" else 2),
        "intercept": _r(fit.intercept, 4 if fit.kind == "loglinear" else 2),
        # Rounded as the table shows them, so the JSON and the table never differ.
        "r_squared": _r(fit.r_squared, 2),
        "n_points": fit.n_points,
    }
    if fit.kind == "linear":
        data["decline_per_week"] = _r(fit.decline_per_week, 1)
        # The fitted segment over the weeks its points cover, for the overlay chart.
        first, last = episode.decline_points[0].day, episode.decline_points[-1].day
        data["line"] = [
            {"weeks": _weeks(fit.origin, d), "value": _r(fit.value_at(d))} for d in (first, last)
        ]
    else:
        data["half_life_weeks"] = _r(fit.half_life_weeks)
    return data


def _below(episode, threshold, prediction):
    """Weeks from the infusion until ferritin was (observed) or will be (predicted) below."""
    seen = kinetics.observed_crossing(episode, threshold)
    if seen is not None:
        return {
            "weeks": _weeks(episode.dose.day, seen.day),
            "date": seen.day.isoformat(),
            "kind": "observed",
        }
    if prediction is not None and prediction.is_prediction:
        crossing = prediction.crossing
        kind = "population" if prediction.is_population_default else "predicted"
    elif episode.linear is not None and episode.linear.crossing(threshold) is not None:
        crossing, kind = episode.linear.crossing(threshold), "predicted"
    else:
        return None
    return {"weeks": _weeks(episode.dose.day, crossing), "date": crossing.isoformat(), "kind": kind}


def _prediction(prediction: kinetics.Prediction | None, episode, threshold):
    if prediction is None:
        return None
    data = {
        "method": prediction.method,
        "crossing": prediction.crossing.isoformat() if prediction.crossing else None,
        "n_points": prediction.n_points,
        "decline_per_week": _r(prediction.decline_per_week, 2),
        "explanation": prediction.explanation,
        "is_population_default": prediction.is_population_default,
        "from": None,
        "fit_line": None,
    }
    start = prediction.start
    if prediction.is_prediction and start is not None and prediction.crossing > start.day:
        data["from"] = _point(start)
    fit = episode.linear if prediction.method == "linear" else None
    if prediction.method == "loglinear":
        fit = episode.loglinear
    if fit is not None and episode.decline_points:
        days = [episode.decline_points[0].day, episode.decline_points[-1].day]
        data["fit_line"] = [{"date": d.isoformat(), "value": _r(fit.value_at(d))} for d in days]
    return data


def _series(results):
    return [
        {
            "date": r.day.isoformat(),
            "value": _r(r.value, 2),
            "comparator": r.comparator,
            "lab": r.lab_name,
        }
        for r in results
    ]


def build_chart_data(patient, history: History, today: date) -> dict:
    threshold = patient.ferritin_threshold
    ferritin = history.series("ferritin")
    points = [kinetics.Point(r.day, r.value, r.comparator) for r in ferritin]
    doses = [kinetics.Dose(i.day, i.dose_mg, i.label) for i in history.infusions]
    episodes = kinetics.split_episodes(points, doses)
    population = patient.population_slope if patient.use_population_slope else None

    # Each episode's scores by bisection: scanning every score for every episode took ~5 ms
    # on a ten-year history (520 scores x 18 infusions), measured by bench/.
    scores = sorted(history.scores)
    score_days = [day for day, _ in scores]
    rows = []
    current_prediction = None
    for index, (episode, infusion) in enumerate(zip(episodes, history.infusions, strict=True)):
        prediction = None
        if episode.is_current:
            prediction = kinetics.predict_crossing(episode, threshold, population_slope=population)
            current_prediction = _prediction(prediction, episode, threshold)
        first = bisect_left(score_days, episode.dose.day)
        last = len(scores) if episode.end is None else bisect_left(score_days, episode.end)
        episode_scores = scores[first:last]
        returned = kinetics.symptoms_returned(episode, episode_scores)
        rows.append(
            {
                "number": index + 1,
                "date": infusion.day.isoformat(),
                "end": episode.end.isoformat() if episode.end else None,
                "is_current": episode.is_current,
                "product": infusion.product_label,
                "dose_mg": infusion.dose_mg,
                "label": infusion.label,
                "baseline": _point(episode.baseline),
                "peak": _point(episode.peak),
                "points": [
                    {
                        "weeks": _weeks(episode.dose.day, p.day),
                        "value": _r(p.value),
                        "comparator": p.comparator,
                        "date": p.day.isoformat(),
                    }
                    for p in episode.points
                ],
                "linear": _fit(episode.linear, episode),
                "loglinear": _fit(episode.loglinear, episode),
                "no_fit_reason": episode.no_fit_reason,
                "decline_points": len(episode.decline_points),
                "below_threshold": _below(episode, threshold, prediction),
                "symptoms_returned": (
                    {"weeks": _weeks(episode.dose.day, returned), "date": returned.isoformat()}
                    if returned
                    else None
                ),
                "has_scores": bool(episode_scores),
            }
        )

    return {
        "today": today.isoformat(),
        "threshold": threshold,
        "reference_lines": [{"value": v, "label": label} for v, label in REFERENCE_LINES],
        "population_slope": population,
        "spike_weeks": kinetics.SPIKE_WEEKS,
        "symptom_return_level": kinetics.SYMPTOM_RETURN_LEVEL,
        "ferritin": _series(ferritin),
        "blood": [
            {
                "code": code,
                "label": units.ANALYTES[code].label,
                "unit": units.ANALYTES[code].display_unit,
                "points": _series(history.series(code)),
            }
            for code in BLOOD_SERIES
        ],
        "symptoms": [{"date": d.isoformat(), "value": s} for d, s in history.scores],
        "infusions": [
            {
                "date": i.day.isoformat(),
                "product": i.product_label,
                "dose_mg": i.dose_mg,
                "label": i.label,
            }
            for i in history.infusions
        ],
        "episodes": rows,
        "projection": current_prediction,
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


def latest_values(history: History):
    """The newest result of each analyte, in the order units.ANALYTES lists them."""
    newest = {}
    for r in history.results:  # oldest first, so later rows win
        newest[r.analyte] = r
    return [
        {
            "label": units.ANALYTES[code].label,
            "display": f"{COMPARATOR_SYMBOLS.get(r.comparator, '')}"
            f"{units.format_value(code, r.value)} {units.ANALYTES[code].display_unit}",
            "date": r.day,
            "lab": r.lab_name,
        }
        for code in units.ANALYTES
        if (r := newest.get(code))
    ]
