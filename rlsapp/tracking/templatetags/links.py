"""{% link 'draw_edit' draw.pk %}: {% url %} for the one-id links of record tables.

A person's page links each of its rows to their edit and delete pages; reversing every
link walks the URL configuration, dozens of times a page. The pattern for each URL name
is reversed once (per URL configuration and script prefix) and the id put in.
"""

import functools

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

PLACEHOLDER = 2_147_483_647  # the largest id a database gives: never a real path part


@functools.lru_cache(maxsize=256)
def _pattern(urlconf, prefix, name):
    url = reverse(name, urlconf=urlconf, args=[PLACEHOLDER])
    before, marker, after = url.rpartition(str(PLACEHOLDER))
    if not marker:
        raise ValueError(f"{name} does not take one id")
    return before, after


def link(name: str, pk) -> str:
    before, after = _pattern(get_urlconf(), get_script_prefix(), name)
    return f"{before}{int(pk)}{after}"


def linker(name: str):
    """link(name, pk) as a function of the id alone, for a table that links every row: the
    URL configuration and script prefix are looked up once."""
    before, after = _pattern(get_urlconf(), get_script_prefix(), name)
    return lambda pk: f"{before}{int(pk)}{after}"


def links_of(pk):
    """link(name, pk) for one id as a function of the name, for a page with many links
    about one record: the URL configuration and script prefix are looked up once."""
    urlconf, prefix, pk = get_urlconf(), get_script_prefix(), int(pk)

    def of(name: str) -> str:
        before, after = _pattern(urlconf, prefix, name)
        return f"{before}{pk}{after}"

    return of


@functools.lru_cache(maxsize=256)
def _fixed(urlconf, prefix, name):
    return reverse(name, urlconf=urlconf)


def fixed_url(name: str) -> str:
    """{% fixed_url 'worklist' %}: {% url %} for a URL without arguments, as in the page
    frame every page renders; reversed once per URL configuration and script prefix."""
    return _fixed(get_urlconf(), get_script_prefix(), name)


@receiver(setting_changed)
def _forget_on_a_new_url_configuration(*, setting, **kwargs):
    # The kept addresses are keyed by get_urlconf(), which stays None when ROOT_URLCONF
    # itself changes (override_settings): forget them as Django forgets its own resolvers.
    if setting == "ROOT_URLCONF":
        _pattern.cache_clear()
        _fixed.cache_clear()


register.simple_tag(link, name="link")
register.simple_tag(fixed_url, name="fixed_url")
