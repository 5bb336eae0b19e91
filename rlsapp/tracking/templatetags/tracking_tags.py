from django import template
from django.utils.html import format_html

from rlsapp.domain import formats, regions

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


@register.simple_tag(takes_context=True)
def result_value(context, result, patient):
    """A stored value with its flag, and the value as the lab printed it when that differs."""
    flag, why = result.flag(patient.sex, patient.ferritin_threshold)
    html = format_html(
        '<span class="{}" title="{}">{}</span>',
        f"value-{flag}" if flag else "",
        why,
        result_text(result, _region(context)),
    )
    if flag:
        html += format_html(' <span class="visually-hidden">({})</span>', why)
    if result.converted:
        html += format_html(' <span class="entered-as">lab: {}</span>', result.entered_display)
    if result.calculated:
        html += format_html(' <span class="entered-as">{}</span>', "calculated")
    return html
