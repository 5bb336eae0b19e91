"""Worklist columns and order from the open reminders, in the worklist's single query."""

from django.db.models import Case, Count, F, FilteredRelation, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce

from .models import Reminder

OVERDUE, DUE_SOON, BELOW, OTHER = 0, 1, 2, 3
# Below the threshold now: the latest result is below it (a '>' bound never is) and no
# infusion came on or after its day (a draw on an infusion's day is the baseline before it).
BELOW_NOW = (
    Q(latest_ferritin__lt=F("ferritin_threshold"))
    & ~Q(latest_ferritin_comparator__in=[">", ">="])
    & (Q(last_infusion_on__isnull=True) | Q(last_infusion_on__lt=F("latest_ferritin_on")))
)


def with_next_recheck(patients, today):
    """Annotate each patient's open reminder and order by urgency.

    Overdue first, then due soon (each patient's own window), then ferritin below
    the threshold since the last infusion, then the rest; by reminder date, then name,
    within each group.
    Needs PatientQuerySet.with_latest() for the ferritin column.
    """
    # A join, not a subquery per column: at most one reminder per patient is open (a unique
    # constraint), and seven subqueries per patient cost ~30 ms on a 2,000-patient worklist.
    open_reminder = FilteredRelation("reminders", condition=Q(reminders__status__in=Reminder.OPEN))
    fields = ["pk", "remind_on", "soon_from", "status", "kind", "reason", "below_since"]
    fields += ["estimate_on", "estimate_from", "estimate_to"]
    annotated = (
        patients.annotate(open_reminder=open_reminder)
        .annotate(**{f"recheck_{f}": F(f"open_reminder__{f}") for f in fields})
        # The date groups apart from the ferritin one, so that summary() can count them
        # without the latest-ferritin subquery (PostgreSQL ran it again for every count).
        .annotate(
            recheck_urgency=Case(
                When(recheck_remind_on__lt=Value(today), then=Value(OVERDUE)),
                When(recheck_soon_from__lte=Value(today), then=Value(DUE_SOON)),
                default=None,
                output_field=IntegerField(),
            )
        )
        .annotate(
            urgency_rank=Coalesce(
                "recheck_urgency",
                Case(
                    When(BELOW_NOW, then=Value(BELOW)),
                    default=Value(OTHER),
                    output_field=IntegerField(),
                ),
            )
        )
    )
    return annotated.order_by(
        "urgency_rank", F("recheck_remind_on").asc(nulls_last=True), "name", "pk"
    )


def summary(patients):
    """{'overdue': n, 'soon': n, 'below': n} over all of the user's patients, in one query."""
    return patients.order_by().aggregate(
        overdue=Count("pk", filter=Q(recheck_urgency=OVERDUE)),
        soon=Count("pk", filter=Q(recheck_urgency=DUE_SOON)),
        below=Count("pk", filter=BELOW_NOW),
    )
