from django import template
from django.utils import timezone

from rlsapp.domain import recheck

register = template.Library()

URGENCY = {
    "overdue": ("text-bg-danger", "Overdue"),
    "today": ("text-bg-warning", "Due today"),
    "soon": ("text-bg-warning", "Due soon"),
    "upcoming": ("text-bg-light border", "Upcoming"),
}


@register.simple_tag
def recheck_urgency(remind_on, soon_from, today=None):
    """'overdue', 'today', 'soon' or 'upcoming' for a reminder date and its due-soon start."""
    if remind_on is None:
        return ""
    today = today or timezone.localdate()
    return recheck.urgency(remind_on, today, (remind_on - soon_from).days)


@register.filter
def urgency_class(urgency):
    return URGENCY.get(urgency, ("", ""))[0]


@register.filter
def urgency_label(urgency):
    return URGENCY.get(urgency, ("", ""))[1]
