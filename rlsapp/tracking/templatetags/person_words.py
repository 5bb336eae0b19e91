"""Words about a person's data on the pages that show it.

An estimate's basis (domain/estimate.py decides it and holds its words) is named beside
its dates on the re-check card and the charts page; the badge's colour says the same:
amber where the population default carries the estimate, green where the person's own
results alone do, blue where the two are blended.
"""

from django import template

from rlsapp.domain import estimate as estimates

register = template.Library()

BASIS_CLASSES = {
    estimates.BASIS_POPULATION: "text-bg-warning",
    estimates.BASIS_OWN: "text-bg-success",
    estimates.BASIS_OWN_POPULATION: "text-bg-info",
    estimates.BASIS_CURRENT_POPULATION: "text-bg-info",
}


@register.filter
def basis_words(basis: str) -> str:
    """{{ reminder.estimate_basis|basis_words }}: '' for no basis."""
    return estimates.BASIS_WORDS.get(basis, "")


@register.filter
def basis_class(basis: str) -> str:
    return BASIS_CLASSES.get(basis, "text-bg-secondary")
