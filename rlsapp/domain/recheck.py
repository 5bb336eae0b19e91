"""When should the next ferritin re-check be, and why (pure: no Django imports).

Rules from shared/domain.md ("Re-check timing"), each driven by a per-patient setting:

- first: N weeks after the latest infusion (or split-dose course), unless a ferritin
  result already satisfies it: one drawn at least `first_recheck_min_weeks` (6) weeks
  after that infusion, or on or after the due date when N is shorter than that;
- routine: every M weeks after the latest ferritin result, once the first
  re-check is done (or when no infusion is recorded);
- predicted: a lead time before the early end of the 80 % window in which the current
  episode's combined estimate (rlsapp.domain.estimate) reaches the threshold; when a
  result already falls inside the lead time, the early end itself. Without a clear
  decline there is no predicted rule, and the note says so.

The earliest date wins. Nothing here depends on today's date, so a stored
reminder stays true from one day to the next; how urgent it is (`urgency`) is
worked out when shown. Everything is an estimate from the person's own data,
never medical advice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from operator import attrgetter

from rlsapp.domain import estimate as estimates
from rlsapp.domain import kinetics
from rlsapp.domain.estimate import Estimate
from rlsapp.domain.kinetics import Dose, Point

FIRST, ROUTINE, PREDICTED = "first", "routine", "predicted"
# On the same day, the more informative reason is shown.
TIE_ORDER = {PREDICTED: 0, FIRST: 1, ROUTINE: 2}
PHOSPHATE_PRODUCT = "fcm"
PHOSPHATE_MONTHS = 3
_DAY = attrgetter("day")  # the sort key of points and infusions


@dataclass(frozen=True)
class Settings:
    """A patient's re-check settings (defaults from shared/domain.md)."""

    threshold: float = 100
    first_recheck_weeks: int = 8
    routine_recheck_weeks: int = 12
    reminder_lead_days: int = 14
    due_soon_days: int = 14
    use_population_slope: bool = True
    population_slope: float = estimates.EARLEY_SLOPE
    population_spread: float = estimates.POPULATION_SPREAD
    first_recheck_min_weeks: int = 6  # a draw earlier than this does not count as the first
    course_days: int = 14  # infusions this close form one split-dose course
    skip_weekends: bool = False  # a re-check on a Saturday or Sunday moves to the Monday

    @property
    def prior_slope(self) -> float | None:
        """The population slope the estimates read: None when the person turned it off."""
        return self.population_slope if self.use_population_slope else None


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
    below_since: date | None = None  # first day of the run below threshold since the infusion
    notes: tuple[str, ...] = ()  # plain sentences: below the threshold, no decline, phosphate
    estimate: Estimate | None = None
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
    return point.is_below(threshold)


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


def first_rule(settings: Settings, points: list[Point], last: Dose) -> Rule | None:
    """Due N weeks after the last dose; met by a draw from the minimum weeks on."""
    due = last.day + timedelta(weeks=settings.first_recheck_weeks)
    enough = last.day + timedelta(
        weeks=min(settings.first_recheck_weeks, settings.first_recheck_min_weeks)
    )
    start = last.start
    # Latest first: a person's points come by day, and the latest draw usually settles it.
    if any(p.day >= enough and kinetics.in_episode(p, start, None) for p in reversed(points)):
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
    settings: Settings, estimate: Estimate | None, latest: Point | None
) -> Rule | None:
    """A lead time before the early end of the estimate's window (never without a date)."""
    if estimate is None or not estimate.has_date:
        return None
    early = estimate.early
    due = early - timedelta(days=settings.reminder_lead_days)
    if latest is not None and latest.day >= due:
        # A result already falls inside the lead time: check again at the window's start.
        due = early
    basis = estimate.explanation.rstrip(".")
    return Rule(
        PREDICTED,
        due,
        f"ferritin estimated to fall below {number(settings.threshold)} µg/L "
        f"{estimates.window_words(estimate)} ({basis[0].lower()}{basis[1:]})",
    )


def below_since(points: list[Point], threshold: float) -> date | None:
    """The first day of the latest unbroken run of results below the threshold."""
    return kinetics.below_since(points, threshold)


def not_counted(points: list[Point], since: date) -> str:
    """What 'below since' leaves out: the results from `since` on that are left out of the
    fits (an illness's 300 after an 80 is not a run broken), named so that the note is not
    read against a latest value it did not count; '' without any."""
    left_out = [p.day for p in points if p.excluded and p.day >= since]
    if not left_out:
        return ""
    if len(left_out) == 1:
        return f", not counting the result of {day_text(left_out[0])}, left out of the fits"
    return (
        f", not counting {len(left_out)} results left out of the fits (the latest on "
        f"{day_text(max(left_out))})"
    )


PHOSPHATE_WHY = (
    "Ferric carboxymaltose can lower phosphate: reported even after a single dose, more "
    "likely with repeat courses (the US label lists it under warnings and precautions)."
)


def phosphate_note(infusions: list[InfusionRecord], last_course: Dose | None) -> str:
    """After any FCM course, or another product given within 3 months of one: suggest
    adding phosphate to the next re-check. `infusions` by day; `last_course`: the last of
    kinetics.group_courses of their doses (the last `count` of them), or None."""
    if last_course is None:
        return ""
    last, earlier = infusions[-last_course.count :], infusions[: -last_course.count]
    window = months_before(last[0].day, PHOSPHATE_MONTHS)
    fcm = [i for i in last if i.product == PHOSPHATE_PRODUCT]
    fcm += [i for i in earlier if i.product == PHOSPHATE_PRODUCT and i.day >= window]
    if not fcm:
        return ""
    latest = max(i.day for i in fcm)
    return (
        f"{PHOSPHATE_WHY} With ferric carboxymaltose given on {day_text(latest)}, ask the "
        "treating clinician about adding phosphate to this re-check."
    )


def repeat_fcm_warning(
    infusions: Iterable[InfusionRecord], new: InfusionRecord, course_days: int = 14
) -> str:
    """Before saving an FCM course within 3 months of another FCM course (not the next
    dose of the same split course): a note to check phosphate first."""
    if new.product != PHOSPHATE_PRODUCT:
        return ""
    window = months_before(new.day, PHOSPHATE_MONTHS)
    infusions = list(infusions)
    earlier = sorted(i for i in _fcm_days(infusions) if i < new.day)
    if not earlier:
        return ""
    # The course the new dose belongs to, as the fits and the re-check group doses: the
    # last course of every dose up to its day (a later dose cannot move where it starts).
    doses = [i.dose() for i in infusions if i.day <= new.day] + [new.dose()]
    course_start = kinetics.group_courses(doses, course_days)[-1].start
    repeats = [d for d in earlier if window <= d < course_start]
    if not repeats:
        return ""
    return (
        f"This would be a repeat ferric carboxymaltose course within {PHOSPHATE_MONTHS} "
        f"months of the one on {day_text(repeats[-1])}. {PHOSPHATE_WHY} Ask the treating "
        "clinician about checking phosphate before this course."
    )


def _fcm_days(infusions: Iterable[InfusionRecord]) -> list[date]:
    return [i.day for i in infusions if i.product == PHOSPHATE_PRODUCT]


def current_estimate(
    settings: Settings, points: list[Point], courses: list[Dose]
) -> Estimate | None:
    """The current episode's combined estimate (`courses`: the infusions grouped by
    kinetics.group_courses), or None without an infusion."""
    if not courses:
        return None
    return estimates.estimate_last(
        points,
        courses,
        settings.threshold,
        population_slope=settings.prior_slope,
        population_spread=settings.population_spread,
    )


def snoozed_by_weeks(remind_on: date, today: date, weeks: int, skip_weekends: bool = False) -> date:
    """Where a snooze by `weeks` moves a re-check: that many weeks after its date, or after
    today once that date has come. A snooze never brings a re-check forward (one due in a
    month, snoozed by a week from today, would come three weeks early). With the person's
    weekends skipped, a snooze landing on one moves to the Monday, as the rules' dates do."""
    day = max(remind_on, today) + timedelta(weeks=weeks)
    return skip_weekend(day) if skip_weekends else day


def skip_weekend(day: date) -> date:
    """The day itself on a weekday; the Monday after on a Saturday or a Sunday, when most
    labs and surgeries are closed."""
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def off_the_weekend(rule: Rule) -> Rule:
    """The rule moved to the Monday when it lands on a weekend, its reason saying so."""
    monday = skip_weekend(rule.due)
    if monday == rule.due:
        return rule
    moved = f"{rule.reason}, moved from {rule.due:%A} to Monday"
    return replace(rule, due=monday, reason=moved)


def next_recheck(
    settings: Settings,
    points: Iterable[Point],
    infusions: Iterable[InfusionRecord],
    *,
    estimate: Estimate | None = None,
    predict: bool = True,
) -> Recheck:
    """The next re-check for one patient.

    `estimate` may be given (tests, or a caller that already has it); otherwise, with
    `predict`, it is the current episode's combined estimate.
    """
    points = sorted(points, key=_DAY)
    infusions = sorted(infusions, key=_DAY)
    courses = kinetics.group_courses([i.dose() for i in infusions], settings.course_days)
    if estimate is None and predict:
        estimate = current_estimate(settings, points, courses)
    latest = points[-1] if points else None
    last_course = courses[-1] if courses else None

    rules = []
    first = first_rule(settings, points, last_course) if last_course else None
    if first:
        rules.append(first)
    elif latest:
        rules.append(routine_rule(settings, latest))
    predicted = predicted_rule(settings, estimate, latest)
    if predicted:
        rules.append(predicted)
    if settings.skip_weekends:
        rules = [off_the_weekend(r) for r in rules]
    rules.sort(key=lambda r: (r.due, TIE_ORDER[r.kind]))

    notes = []
    # "Below since" restarts at each infusion: only this episode's results count.
    current = kinetics.points_since(points, last_course) if last_course else points
    since = below_since(current, settings.threshold)
    if since is not None:
        notes.append(
            f"Ferritin has been below the threshold of {number(settings.threshold)} µg/L "
            f"since {day_text(since)}{not_counted(current, since)}."
        )
    if estimate is not None and estimate.status == estimates.NO_DECLINE:
        notes.append("No clear decline yet, so the routine schedule applies.")
    phosphate = phosphate_note(infusions, last_course)
    if phosphate:
        notes.append(phosphate)
    return Recheck(
        rule=rules[0] if rules else None,
        rules=tuple(rules),
        latest=latest,
        below_since=since,
        notes=tuple(notes),
        estimate=estimate,
        phosphate=bool(phosphate),
    )
