from datetime import date

from django import template
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe

from rlsapp.assets import ASSETS
from rlsapp.domain import units
from rlsapp.tracking.templatetags.page_frame import per_process, static_url

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
    """'2024-12-16' -> a date, for the |date filter, where a day comes as ISO text (an
    import's conflicts); the chart data's days are dates already."""
    return date.fromisoformat(iso) if iso else None


@per_process
def _chart_scripts() -> str:
    pinned = [ASSETS[name] for name in ("chartjs", "chartjs_date_adapter", "chartjs_annotation")]
    scripts = [
        f'<script src="{esc(asset.url)}" integrity="{esc(asset.integrity)}"'
        ' crossorigin="anonymous" defer></script>'
        for asset in pinned
    ]
    scripts += [
        f'<script src="{static_url(path)}" defer></script>'
        for path in ("js/chart_parts.js", "js/patient_charts.js")
    ]
    return mark_safe("\n" + "\n".join(scripts) + "\n")


@register.simple_tag
def chart_scripts():
    """The charts' scripts (Chart.js and its plugins from the CDN with their integrity
    hashes, then ours), written once per process: they depend on settings alone."""
    return _chart_scripts()
