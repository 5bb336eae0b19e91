"""What the viewing account may do with a person, for hiding the buttons it may not use.

`person.role` is the account's role as access.get_patient_for_user annotates it. Hiding is
only courtesy: every view checks the role itself (access.py), so a hidden button's address
still answers 403.
"""

from django import template

from ..memberships import ROLE_CHOICES, role_allows

register = template.Library()
ROLE_WORDS = dict(ROLE_CHOICES)


@register.filter
def can(person, need: str) -> bool:
    """{% if patient|can:"edit" %}: False when the role is unknown."""
    return role_allows(getattr(person, "role", None), need)


@register.filter
def role_words(person) -> str:
    """The account's role on the person in words: Can edit, Can view or Owner."""
    return ROLE_WORDS.get(getattr(person, "role", None), "")
