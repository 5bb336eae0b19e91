from datetime import date

from django import template

from rlsapp.domain import units

register = template.Library()


@register.inclusion_tag("charts/patient_charts.html")
def patient_charts(patient, charts):
    """The charts section of the patient page, from chart data the view built once
    (charts.data.build_chart_data). The tables are rendered server-side, so they work
    without JavaScript and for screen readers; the canvases are drawn by
    static/js/patient_charts.js."""
    return {"patient": patient, "charts": charts}


@register.filter
def comparator_symbol(code):
    return units.comparator_symbol(code or "")


@register.filter
def as_date(iso):
    """'2024-12-16' (as in the chart data) -> a date, for the |date filter."""
    return date.fromisoformat(iso) if iso else None
