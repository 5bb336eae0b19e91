from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from rlsapp.domain import units

register = template.Library()


@register.simple_tag
def result_value(result, patient):
    """A stored value with its flag, and the value as the lab printed it when that differs."""
    flag, why = result.flag(patient.sex, patient.ferritin_threshold)
    html = format_html(
        '<span class="{}" title="{}">{}</span>',
        f"value-{flag}" if flag else "",
        why,
        result.display,
    )
    if flag:
        html += format_html(' <span class="visually-hidden">({})</span>', why)
    if result.converted:
        html += format_html(' <span class="entered-as">lab: {}</span>', result.entered_display)
    if result.calculated:
        html += format_html(' <span class="entered-as">{}</span>', "calculated")
    return html


@register.simple_tag
def latest_ferritin(patient):
    """The worklist cell from the with_latest() annotations."""
    if patient.latest_ferritin is None:
        return mark_safe('<span class="text-body-secondary">none yet</span>')
    value, comparator = patient.latest_ferritin, patient.latest_ferritin_comparator or ""
    flag, why = units.flag("ferritin", value, threshold=patient.ferritin_threshold)
    html = format_html(
        '<span class="{}">{}</span>',
        f"value-{flag}" if flag else "",
        units.format_result("ferritin", value, comparator),
    )
    if why:
        html += format_html(' <span class="badge text-bg-light border">{}</span>', why)
    return html


@register.filter
def days_before(day, today):
    """Whole days from day to today (the worklist's "days since the last infusion")."""
    return (today - day).days
