from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from rlsapp.domain import formats, regions, result_flags

from ..fit_inputs import flag_result
from ..lab_entry import result_text

register = template.Library()


def _region(context):
    """The signed-in account's region: numbers and dates are shown its way."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return getattr(user, "region_rules", None) or regions.get(None)


@register.simple_tag(takes_context=True)
def region_date(context, value):
    """A date as the account's region writes it (31.12.2025, 12/31/2025, 2025-12-31)."""
    return formats.format_date(value, _region(context))


def _infusion_days(context, patient):
    """The person's infusion days, oldest first: from the page when it has them, else one
    query for the whole template."""
    days = context.get("infusion_days")
    if days is not None:
        return days
    key = ("infusion_days", patient.pk)
    if key not in context.render_context:
        context.render_context[key] = sorted(patient.infusions.values_list("given_on", flat=True))
    return context.render_context[key]


# The words beside the colour (issue 16 item 6), so a flag never rests on colour or hover.
AFTER_WORDS = (
    "expected after an infusion: ferritin rises as infused iron enters the stores, then falls"
)


@register.simple_tag(takes_context=True)
def result_value(context, result, patient):
    """A stored value with its flag in words ("low", "high", "after infusion") and why,
    and the value as the lab printed it when that differs. A high soon after an infusion
    is the expected rise (domain/result_flags.py), explained rather than alarmed about."""
    draw = result.draw
    flag = flag_result(
        patient,
        result.analyte,
        result.value,
        result.comparator,
        draw.drawn_on,
        draw.after_infusion,
        _infusion_days(context, patient),
    )
    css = {result_flags.LOW: "value-low", result_flags.HIGH: "value-high"}.get(flag.word, "")
    html = format_html('<span class="{}">{}</span>', css, result_text(result, _region(context)))
    if flag.word == result_flags.AFTER:
        why = AFTER_WORDS if result.analyte == "ferritin" else flag.why.split(": ", 1)[-1]
        html += format_html(
            ' <span class="flag-word flag-after">after infusion</span>'
            ' <span class="flag-why">({})</span>',
            why,
        )
    elif flag:
        html += format_html(
            ' <span class="flag-word flag-{}">{}</span> <span class="flag-why">({})</span>',
            flag.word,
            flag.word,
            flag.why,
        )
    if result.converted:
        html += format_html(' <span class="entered-as">lab: {}</span>', result.entered_display)
    if result.calculated:
        html += format_html(' <span class="entered-as">{}</span>', "calculated")
    return html


@register.simple_tag(takes_context=True)
def draw_results(context, draw, patient):
    """A draw's results, a line each: the test's name (short on a phone) and its value with
    its flag. One tag for the whole cell: a table of draws has dozens of results."""
    lines = []
    for result in draw.ordered_results():
        info = result.info
        if info.short_label:
            name = format_html(
                '<abbr title="{}" class="d-md-none">{}</abbr>'
                '<span class="d-none d-md-inline">{}</span>',
                info.label,
                info.short_label,
                info.label,
            )
        else:
            name = conditional_escape(info.label)
        value = result_value(context, result, patient)
        lines.append(
            format_html('<div><span class="text-body-secondary">{}</span> {}</div>', name, value)
        )
    return mark_safe("".join(lines))
