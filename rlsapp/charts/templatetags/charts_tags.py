from datetime import date

from django import template
from django.utils import timezone

from rlsapp.charts.data import build_chart_data
from rlsapp.charts.queries import load_history

register = template.Library()


@register.inclusion_tag("charts/patient_charts.html")
def patient_charts(patient):
    """The charts section of the patient page: two queries, whatever the history size.

    The tables are rendered here, server-side, so they work without JavaScript and
    for screen readers; the canvases are drawn by static/js/patient_charts.js.
    """
    return {
        "patient": patient,
        "charts": build_chart_data(patient, load_history(patient), timezone.localdate()),
    }


@register.filter
def comparator_symbol(code):
    return {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}.get(code or "", "")


@register.filter
def as_date(iso):
    """'2024-12-16' (as in the chart data) -> a date, for the |date filter."""
    return date.fromisoformat(iso) if iso else None
