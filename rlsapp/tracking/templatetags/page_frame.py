"""The page frame base.html writes around every page, in Python: {% page_head %} (the
shared head: Bootstrap's CSS with its integrity hash and our stylesheet), {% page_top %}
(the navigation bar with the account's menu, then the queued messages) and
{% page_script %} (Bootstrap's script with its hash). links/base.html shares
{% page_head %}. Pages name their own static files with {% static_url 'js/x.js' %}, and
charts_tags.chart_scripts writes the charts' scripts with per_process below.

In the template each address, static file and hash was a tag or a lookup of its own, on
every page, and the engine walked the frame's nodes again for its blocks. What depends
only on settings and the URL configuration is written once per process and forgotten when
any setting changes: the addresses per URL configuration and script prefix, as
links.fixed_url keeps them; static and CDN URLs and hashes once, as they depend on
settings alone (the static files storage reads STATIC_URL, script prefix included, once
when it is made, so {% static %} gives every request the same URL). What belongs to the request (the
account's email, the CSRF token, the messages, whether sign-up is open) is read from the
page's context for each page, as the template read it, and escaped as it escaped it.
"""

import functools
from types import SimpleNamespace

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import CsrfTokenNode
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape as esc

from rlsapp.assets import ASSETS

from .links import fixed_url

register = template.Library()

URL_NAMES = "home worklist patient_create reminders account_settings logout login signup".split()
_CSRF_INPUT = CsrfTokenNode()  # {% csrf_token %} itself: the same input, the same checks


_KEPT = []


def per_process(function):
    """`function` worked out once per process for each set of arguments and forgotten when
    any setting changes: for text that depends only on settings and the URL configuration
    (with addresses, its arguments name the URL configuration and script prefix)."""
    kept = functools.lru_cache(maxsize=64)(function)
    _KEPT.append(kept)
    return kept


@per_process
def head() -> str:
    """The head's shared tags: Bootstrap's CSS with its hash, then our stylesheet."""
    css = ASSETS["bootstrap_css"]
    return (
        '\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="stylesheet" href="{esc(css.url)}" integrity="{esc(css.integrity)}"'
        ' crossorigin="anonymous">\n'
        f'<link rel="stylesheet" href="{static_url("css/rlsapp.css")}">\n'
    )


@per_process
def bootstrap_script() -> str:
    js = ASSETS["bootstrap_js"]
    return (
        f'<script src="{esc(js.url)}" integrity="{esc(js.integrity)}"'
        ' crossorigin="anonymous"></script>'
    )


@per_process
def _parts(urlconf, prefix) -> SimpleNamespace:
    """The navigation bar's fixed text for one URL configuration and script prefix (the
    arguments are the cache key: fixed_url reads them where it needs them)."""
    url = {name: esc(fixed_url(name)) for name in URL_NAMES}
    return SimpleNamespace(
        brand=(
            '<nav class="navbar navbar-expand-md bg-body-tertiary border-bottom d-print-none">\n'
            '    <div class="container">\n'
            f'      <a class="navbar-brand fw-semibold" href="{url["home"]}">rlsapp</a>\n      '
        ),
        # Signed in: the menu up to the account's email, then up to the CSRF token, then on.
        menu=(
            '\n      <button class="navbar-toggler" type="button" data-bs-toggle="collapse"'
            ' data-bs-target="#nav" aria-controls="nav" aria-expanded="false"'
            ' aria-label="Menu">\n'
            '        <span class="navbar-toggler-icon"></span>\n'
            "      </button>\n"
            '      <div class="collapse navbar-collapse" id="nav">\n'
            '        <ul class="navbar-nav me-auto">\n'
            '          <li class="nav-item"><a class="nav-link"'
            f' href="{url["worklist"]}">Worklist</a></li>\n'
            '          <li class="nav-item"><a class="nav-link"'
            f' href="{url["patient_create"]}">Add a person</a></li>\n'
            '          <li class="nav-item"><a class="nav-link"'
            f' href="{url["reminders"]}">Reminders</a></li>\n'
            "          \n"
            "        </ul>\n"
            '        <ul class="navbar-nav">\n'
            '          <li class="nav-item"><a class="nav-link"'
            f' href="{url["account_settings"]}">'
        ),
        sign_out=(
            "</a></li>\n"
            '          <li class="nav-item">\n'
            f'            <form method="post" action="{url["logout"]}">'
        ),
        menu_end=(
            "\n"
            '              <button class="btn btn-link nav-link" type="submit">Sign out</button>\n'
            "            </form>\n"
            "          </li>\n"
            "        </ul>\n"
            "      </div>\n      "
        ),
        # Signed out: sign in, and sign up while it is open.
        sign_in=(
            '\n      <div class="d-flex gap-2">\n'
            '        <a class="btn btn-sm btn-outline-primary"'
            f' href="{url["login"]}">Sign in</a>\n        '
        ),
        sign_up=f'<a class="btn btn-sm btn-primary" href="{url["signup"]}">Sign up</a>',
        sign_in_end="\n      </div>\n      ",
        # The skip link (base.html) lands here: tabindex so that focus moves in with it.
        nav_end=(
            "\n    </div>\n  </nav>\n"
            '  <main class="container flex-grow-1 py-3" id="main" tabindex="-1">\n    '
        ),
    )


@receiver(setting_changed)
def _forget_on_changed_settings(**kwargs):
    # Addresses, the static files storage and the CDN's base URL all come from settings;
    # only tests change settings in a running process.
    for kept in _KEPT:
        kept.cache_clear()


@per_process
def static_url(path: str) -> str:
    """{% static path %}, escaped as the tag escapes it."""
    return esc(static(path))


def navigation(context) -> str:
    """The navigation bar: the account's menu (its email, sign out) or sign in and up."""
    parts = _parts(get_urlconf(), get_script_prefix())
    user = context.get("user")
    if getattr(user, "is_authenticated", False):
        account = (
            f"{parts.menu}{esc(user.email)}{parts.sign_out}"
            f"{_CSRF_INPUT.render(context)}{parts.menu_end}"
        )
    else:
        sign_up = parts.sign_up if context.get("signup_open") else ""
        account = f"{parts.sign_in}{sign_up}{parts.sign_in_end}"
    return f"{parts.brand}{account}{parts.nav_end}"


def messages(context) -> str:
    """The queued messages, each dismissible, its level as Bootstrap's alert colour."""
    # An empty list is not iterated, as {% for %} did not: iterating marks the messages
    # read, and the response then deletes the (absent) messages cookie.
    queued = context.get("messages") or ()
    return "".join(
        f'\n    <div class="alert alert-{_alert_kind(message.tags)} alert-dismissible fade show'
        ' d-print-none" role="alert">\n'
        f"      {esc(str(message))}\n"
        '      <button type="button" class="btn-close" data-bs-dismiss="alert"'
        ' aria-label="Close"></button>\n'
        "    </div>\n    "
        for message in queued
    )


def _alert_kind(tags: str) -> str:
    return "danger" if tags == "error" else esc(tags or "info")


class _Frame(template.Node):
    def __init__(self, write):
        self.write = write

    def render(self, context):
        return self.write(context)


def _tag(write):
    def compile_tag(parser, token):
        if len(token.split_contents()) != 1:
            raise template.TemplateSyntaxError(f"{token.contents.split()[0]} takes no arguments")
        return _Frame(write)

    return compile_tag


@register.tag("static_url")
def _static_url(parser, token):
    """{% static_url 'js/copy.js' %}: {% static %} for a fixed path, kept per process."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "'\"" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError("static_url takes one quoted path")
    path = bits[1][1:-1]
    return _Frame(lambda context: static_url(path))


register.tag("page_head", _tag(lambda context: head()))
register.tag("page_top", _tag(lambda context: navigation(context) + messages(context)))
register.tag("page_script", _tag(lambda context: bootstrap_script()))
