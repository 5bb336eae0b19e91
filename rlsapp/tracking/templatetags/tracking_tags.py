from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from rlsapp import units

register = template.Library()

FLAG_TEXT = {"low": "below range", "high": "above range"}


@register.simple_tag
def result_value(result, patient):
    """A stored value with its flag, and the value as the lab printed it when that differs."""
    flag = result.flag(patient.sex)
    if result.analyte == "ferritin" and result.value < patient.ferritin_threshold:
        flag, flag_text = "low", f"below the threshold of {patient.ferritin_threshold:g} µg/L"
    else:
        bounds = result.info.reference_range(patient.sex)
        flag_text = FLAG_TEXT.get(flag, "")
        if bounds and flag:
            flag_text += f" {bounds[0]:g}–{bounds[1]:g}"
    html = format_html(
        '<span class="{}" title="{}">{}</span>',
        f"value-{flag}" if flag else "",
        flag_text,
        result.display,
    )
    if flag:
        html += format_html(' <span class="visually-hidden">({})</span>', flag_text)
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
    comparator = dict(units.COMPARATOR_CHOICES).get(patient.latest_ferritin_comparator or "", "")
    shown = f"{comparator if patient.latest_ferritin_comparator else ''}" + units.format_value(
        "ferritin", patient.latest_ferritin
    )
    low, high = units.ANALYTES["ferritin"].reference_range()
    if patient.latest_ferritin < patient.ferritin_threshold:
        css, note = "value-low", f"below threshold {patient.ferritin_threshold:g}"
    elif patient.latest_ferritin < low:
        css, note = "value-low", f"below range {low:g}–{high:g}"
    elif patient.latest_ferritin > high:
        css, note = "value-high", f"above range {low:g}–{high:g}"
    else:
        css, note = "", ""
    html = format_html('<span class="{}">{} µg/L</span>', css, shown)
    if note:
        html += format_html(' <span class="badge text-bg-light border">{}</span>', note)
    return html


@register.filter
def analyte_label(code):
    return units.ANALYTES[code].label


@register.filter
def days_before(day, today):
    """Whole days from day to today (the worklist's "days since the last infusion")."""
    return (today - day).days
