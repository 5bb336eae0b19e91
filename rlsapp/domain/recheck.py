"""When should the next ferritin re-check be, and why (pure: no Django imports).

Rules from shared/domain.md ("Re-check timing"), each driven by a per-patient setting:

- first: N weeks after the latest infusion, unless a ferritin result already
  satisfies it (drawn at least SPIKE_WEEKS weeks after that infusion, or on or
  after the due date when N is shorter than that);
- routine: every M weeks after the latest ferritin result, once the first
  re-check is done (or when no infusion is recorded);
- predicted: a lead time before the date the current episode's decline is
  predicted to reach the threshold (rlsapp.domain.kinetics). When a result already
  covers the lead window, the predicted date itself; when the latest result
  is already past that date (and still above the threshold) the fit and the
  measurement disagree and the rule gives way to the others.

The earliest date wins. Nothing here depends on today's date, so a stored
reminder stays true from one day to the next; how urgent it is (`urgency`) is
worked out when shown. Everything is an estimate from the person's own data,
never medical advice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from rlsapp.domain import kinetics
from rlsapp.domain.kinetics import Dose, Point, Prediction

FIRST, ROUTINE, PREDICTED = "first", "routine", "predicted"
# On the same day, the more informative reason is shown.
TIE_ORDER = {PREDICTED: 0, FIRST: 1, ROUTINE: 2}
PHOSPHATE_PRODUCT = "fcm"
PHOSPHATE_MONTHS = 3
PREDICTING = ("linear", "loglinear", "population")


@dataclass(frozen=True)
class Settings:
    """A patient's re-check settings (defaults from shared/domain.md)."""

    threshold: float = 100
    first_recheck_weeks: int = 8
    routine_recheck_weeks: int = 12
    reminder_lead_days: int = 14
    due_soon_days: int = 14
    use_population_slope: bool = True
    population_slope: float = 6.6


@dataclass(frozen=True)
class InfusionRecord:
    day: date
    product: str = "other"
    dose_mg: int = 1000
    label: str = ""

    def dose(self) -> Dose:
        return Dose(self.day, self.dose_mg, self.label)


@dataclass(frozen=True)
class Rule:
    kind: str  # FIRST | ROUTINE | PREDICTED
    due: date
    reason: str  # plain words, starting lower case: "8 weeks after the infusion on 3 March"


@dataclass(frozen=True)
class Recheck:
    rule: Rule | None  # the earliest applicable rule; None without any ferritin or infusion
    rules: tuple[Rule, ...] = ()  # every applicable rule, earliest first
    latest: Point | None = None  # the latest ferritin result
    below_since: date | None = None  # first day of the current run of results below threshold
    notes: tuple[str, ...] = ()  # plain sentences: below the threshold, phosphate
    prediction: Prediction | None = None
    phosphate: bool = False

    @property
    def due(self) -> date | None:
        return self.rule.due if self.rule else None

    @property
    def kind(self) -> str:
        return self.rule.kind if self.rule else ""

    @property
    def reason(self) -> str:
        return self.rule.reason if self.rule else ""


def day_text(day: date, relative_to: date | None = None) -> str:
    """'3 March', with the year when it differs from the date it is read against."""
    text = f"{day.day} {day:%B}"
    if relative_to is None or relative_to.year != day.year:
        text += f" {day.year}"
    return text


def number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def is_below(point: Point, threshold: float) -> bool:
    """Known to be below the threshold: a '>' result never is, a '<' bound counts at the bound."""
    if point.comparator in (">", ">="):
        return False
    if point.comparator in ("<", "<="):
        return point.value <= threshold
    return point.value < threshold


def urgency(remind_on: date | None, today: date, due_soon_days: int) -> str:
    """'overdue', 'today', 'soon' (within due_soon_days), 'upcoming', or '' without a date."""
    if remind_on is None:
        return ""
    if remind_on < today:
        return "overdue"
    if remind_on == today:
        return "today"
    if remind_on <= today + timedelta(days=due_soon_days):
        return "soon"
    return "upcoming"


def first_rule(settings: Settings, points: list[Point], last: InfusionRecord) -> Rule | None:
    due = last.day + timedelta(weeks=settings.first_recheck_weeks)
    enough = min(settings.first_recheck_weeks, kinetics.SPIKE_WEEKS)
    if any(p.day >= last.day + timedelta(weeks=enough) for p in points):
        return None
    return Rule(
        FIRST,
        due,
        f"{settings.first_recheck_weeks} weeks after the infusion on {day_text(last.day, due)}",
    )


def routine_rule(settings: Settings, latest: Point) -> Rule:
    due = latest.day + timedelta(weeks=settings.routine_recheck_weeks)
    return Rule(
        ROUTINE,
        due,
        f"{settings.routine_recheck_weeks} weeks after the last ferritin result "
        f"on {day_text(latest.day, due)}",
    )


def predicted_rule(
    settings: Settings, prediction: Prediction | None, latest: Point | None
) -> Rule | None:
    if prediction is None or prediction.method not in PREDICTING or prediction.crossing is None:
        return None
    crossing = prediction.crossing
    due = crossing - timedelta(days=settings.reminder_lead_days)
    if latest is not None and latest.day >= due:
        # A result already falls inside the lead window: check again on the date itself.
        if latest.day >= crossing:
            return None
        due = crossing
    if prediction.is_population_default:
        basis = (
            f"population default of {number(settings.population_slope)} µg/L per week, "
            "too few results of your own"
        )
    elif prediction.decline_per_week is not None:
        basis = f"{prediction.n_points} results, {prediction.decline_per_week:.1f} µg/L per week"
    else:
        basis = prediction.explanation
    return Rule(
        PREDICTED,
        due,
        f"ferritin predicted to fall below {number(settings.threshold)} µg/L "
        f"around {day_text(crossing, due)}: {basis}",
    )


def below_since(points: list[Point], threshold: float) -> date | None:
    """The first day of the latest unbroken run of results below the threshold."""
    since = None
    for point in reversed(points):
        if not is_below(point, threshold):
            break
        since = point.day
    return since


def phosphate_note(infusions: list[InfusionRecord]) -> str:
    """FCM can lower phosphate; its label asks for a check before a repeat within 3 months."""
    if not infusions or infusions[-1].product != PHOSPHATE_PRODUCT:
        return ""
    last = infusions[-1]
    window = months_before(last.day, PHOSPHATE_MONTHS)
    others = [i for i in infusions[:-1] if i.day >= window]
    if not others:
        return ""
    return (
        f"The last infusion ({day_text(last.day)}) was ferric carboxymaltose, within "
        f"{PHOSPHATE_MONTHS} months of another ({day_text(others[-1].day)}). Ferric "
        "carboxymaltose can lower phosphate; ask your clinician about checking phosphate "
        "before any further infusion."
    )


def current_prediction(
    settings: Settings, points: list[Point], infusions: list[InfusionRecord]
) -> Prediction | None:
    """The current episode's predicted crossing (kinetics), or None without an infusion."""
    if not infusions:
        return None
    episodes = kinetics.split_episodes(points, [i.dose() for i in infusions])
    if not episodes:
        return None
    episode = episodes[-1]
    exact = [p for p in episode.points if p.comparator == ""]
    return kinetics.predict_crossing(
        episode,
        settings.threshold,
        population_slope=settings.population_slope if settings.use_population_slope else None,
        latest=exact[-1] if exact else None,
    )


def next_recheck(
    settings: Settings,
    points: Iterable[Point],
    infusions: Iterable[InfusionRecord],
    *,
    prediction: Prediction | None = None,
    predict: bool = True,
) -> Recheck:
    """The next re-check for one patient.

    `prediction` may be given (tests, or a caller that already has it); otherwise,
    with `predict`, it comes from the current episode's fit.
    """
    points = sorted(points, key=lambda p: p.day)
    infusions = sorted(infusions, key=lambda i: i.day)
    if prediction is None and predict:
        prediction = current_prediction(settings, points, infusions)
    latest = points[-1] if points else None

    rules = []
    first = first_rule(settings, points, infusions[-1]) if infusions else None
    if first:
        rules.append(first)
    elif latest:
        rules.append(routine_rule(settings, latest))
    predicted = predicted_rule(settings, prediction, latest)
    if predicted:
        rules.append(predicted)
    rules.sort(key=lambda r: (r.due, TIE_ORDER[r.kind]))

    notes = []
    since = below_since(points, settings.threshold)
    if since is not None:
        notes.append(
            f"Ferritin has been below your threshold of {number(settings.threshold)} µg/L "
            f"since {day_text(since)}."
        )
    phosphate = phosphate_note(infusions)
    if phosphate:
        notes.append(phosphate)
    return Recheck(
        rule=rules[0] if rules else None,
        rules=tuple(rules),
        latest=latest,
        below_since=since,
        notes=tuple(notes),
        prediction=prediction,
        phosphate=bool(phosphate),
    )
