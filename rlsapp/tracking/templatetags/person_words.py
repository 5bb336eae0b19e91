"""Words about a person's data on the pages that show it, in the second person only to the
person themself.

The reader is the person when their account marked them "This is me" (accounts/me.py:
`me_id`); anyone else (a viewer, a clinician or caregiver, the owner of a person who is
not them, a read-only link) reads "this person's" instead of "your". The person page is
cached per account and with the mark in its key (web/views.py), so the words cannot
reach another reader. A page made to be handed on (the printable report, given to a
clinician) sets `third_person` in its context and names the person so to every reader.

An estimate's basis (domain/estimate.py decides it and holds its words) is named beside
its dates on the re-check card and the charts page; the badge's colour says the same:
amber where the population default carries the estimate, green where the person's own
results alone do, blue where the two are blended.
"""

from django import template

from rlsapp.domain import estimate as estimates
from rlsapp.tracking.memberships import is_me

register = template.Library()

BASIS_CLASSES = {
    estimates.BASIS_POPULATION: "text-bg-warning",
    estimates.BASIS_OWN: "text-bg-success",
    estimates.BASIS_OWN_POPULATION: "text-bg-info",
    estimates.BASIS_CURRENT_POPULATION: "text-bg-info",
}


def reader_is(context, person) -> bool:
    """Whether the signed-in account reading the page marked `person` as itself, on a page
    that speaks to its reader (not one with `third_person` set)."""
    if context.get("third_person"):
        return False
    # An inclusion tag's context keeps the request as an attribute, not as a variable.
    request = getattr(context, "request", None) or context.get("request")
    return is_me(getattr(request, "user", None), person)


def whose_words(about_me: bool) -> str:
    """'your' when the reader is the person (`about_me`), else 'this person’s'."""
    return "your" if about_me else "this person’s"


@register.simple_tag(takes_context=True)
def whose(context, person) -> str:
    """{% whose patient %} threshold: whose_words for the signed-in reader."""
    return whose_words(reader_is(context, person))


@register.simple_tag(takes_context=True)
def basis_words(context, basis: str, person) -> str:
    """{% basis_words reminder.estimate_basis patient %}: '' for no basis."""
    return estimates.basis_words(basis, reader_is(context, person))


@register.filter
def basis_class(basis: str) -> str:
    return BASIS_CLASSES.get(basis, "text-bg-secondary")
