from django import template

from rlsapp.domain import formats, regions

from .. import fit_inputs, record_rows

register = template.Library()


def account_region(request):
    """The signed-in account's region: numbers and dates are shown its way."""
    return getattr(getattr(request, "user", None), "region_rules", None) or regions.get(None)


def _region(context):
    return account_region(context.get("request"))


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


@register.simple_tag(takes_context=True)
def result_value(context, result, patient):
    """A stored value with its flag in words and why (record_rows.result_html)."""
    return record_rows.result_html(
        result, patient, _region(context), _infusion_days(context, patient)
    )


# The record tables, written by record_rows: {% draw_table draws patient %} and so on.


@register.simple_tag(takes_context=True)
def draw_table(context, draws, patient):
    if not draws:
        return record_rows.draw_table(draws, patient, _region(context), ())
    return record_rows.draw_table(
        draws,
        patient,
        _region(context),
        _infusion_days(context, patient),
        fit_inputs.oral_iron_periods(patient),
    )


def _table_tag(write):
    """{% <name> rows patient %}: the table record_rows writes, in the account's region."""

    def tag(context, rows, patient):
        return write(rows, patient, _region(context))

    return tag


for _name in ("infusion_table", "symptom_table", "course_table", "medicine_table"):
    register.simple_tag(_table_tag(getattr(record_rows, _name)), takes_context=True, name=_name)
