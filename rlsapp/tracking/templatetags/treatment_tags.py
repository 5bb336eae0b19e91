"""Guideline notes beside the records (issue 17 item 4): labelled as notes, never advice."""

from django import template

from rlsapp.domain import medicines

register = template.Library()


@register.filter
def tsat_note(result):
    """The TSAT >= 45 % note for a transferrin saturation result (a LabResult), or ''."""
    if getattr(result, "analyte", None) != "tsat" or result.comparator in ("<", "<="):
        return ""
    return medicines.tsat_note(result.value) or ""
