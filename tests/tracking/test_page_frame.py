"""The page frame written in Python (templatetags/page_frame.py): what base.html's template
wrote, byte for byte, escaped as it escaped; addresses and static URLs kept per URL
configuration and script prefix, and forgotten when settings change."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.middleware.csrf import _get_new_csrf_string
from django.template import TemplateSyntaxError, engines
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse, set_script_prefix
from django.utils.safestring import mark_safe

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# The frame as base.html and page_head.html wrote it before page_frame.py: the reference.
TEMPLATE_TOP = """{% load links %}<nav class="navbar navbar-expand-md bg-body-tertiary border-bottom d-print-none">
    <div class="container">
      <a class="navbar-brand fw-semibold" href="{% fixed_url 'home' %}">rlsapp</a>
      {% if user.is_authenticated %}
      <button class="navbar-toggler" type="button" data-bs-toggle="collapse" data-bs-target="#nav" aria-controls="nav" aria-expanded="false" aria-label="Menu">
        <span class="navbar-toggler-icon"></span>
      </button>
      <div class="collapse navbar-collapse" id="nav">
        <ul class="navbar-nav me-auto">
          <li class="nav-item"><a class="nav-link" href="{% fixed_url 'worklist' %}">Worklist</a></li>
          <li class="nav-item"><a class="nav-link" href="{% fixed_url 'patient_create' %}">Add a person</a></li>
          <li class="nav-item"><a class="nav-link" href="{% fixed_url 'reminders' %}">Reminders</a></li>
          {% block nav_extra %}{% endblock %}
        </ul>
        <ul class="navbar-nav">
          <li class="nav-item"><a class="nav-link" href="{% fixed_url 'account_settings' %}">{{ user.email }}</a></li>
          <li class="nav-item">
            <form method="post" action="{% fixed_url 'logout' %}">{% csrf_token %}
              <button class="btn btn-link nav-link" type="submit">Sign out</button>
            </form>
          </li>
        </ul>
      </div>
      {% else %}
      <div class="d-flex gap-2">
        <a class="btn btn-sm btn-outline-primary" href="{% fixed_url 'login' %}">Sign in</a>
        {% if signup_open %}<a class="btn btn-sm btn-primary" href="{% fixed_url 'signup' %}">Sign up</a>{% endif %}
      </div>
      {% endif %}
    </div>
  </nav>
  <main class="container flex-grow-1 py-3" id="main" tabindex="-1">
    {% for message in messages %}
    <div class="alert alert-{% if message.tags == 'error' %}danger{% else %}{{ message.tags|default:'info' }}{% endif %} alert-dismissible fade show d-print-none" role="alert">
      {{ message }}
      <button type="button" class="btn-close" data-bs-dismiss="alert" aria-label="Close"></button>
    </div>
    {% endfor %}"""  # noqa: E501
TEMPLATE_HEAD = """{% load static %}{# c #}
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{{ assets.bootstrap_css.url }}" integrity="{{ assets.bootstrap_css.integrity }}" crossorigin="anonymous">
<link rel="stylesheet" href="{% static 'css/rlsapp.css' %}">
"""  # noqa: E501
TEMPLATE_SCRIPT = '<script src="{{ assets.bootstrap_js.url }}" integrity="{{ assets.bootstrap_js.integrity }}" crossorigin="anonymous"></script>'  # noqa: E501

HOSTILE = '<i>x</i> & "q" \'s'
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def a_request(user, queued=(), signup_open=True):
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    request.META["CSRF_COOKIE"] = _get_new_csrf_string()
    request._messages = FallbackStorage(request)
    for level, text, extra_tags in queued:
        request._messages.add(level, text, extra_tags)
    return request


def rendered(source, request, **context):
    return engines["django"].from_string(source).render(context, request)


def frame_and_template(request):
    """Each part of the frame from page_frame.py and from the reference template, the
    (per-render) CSRF mask left out."""
    pairs = []
    for tag, reference in [
        ("page_head", TEMPLATE_HEAD),
        ("page_top", TEMPLATE_TOP),
        ("page_script", TEMPLATE_SCRIPT),
    ]:
        ours = rendered("{% load page_frame %}{% " + tag + " %}", request)
        theirs = rendered(reference, request)
        pairs.append((TOKEN.sub("TOKEN", ours), TOKEN.sub("TOKEN", theirs)))
    return pairs


MESSAGES = [
    (constants.INFO, HOSTILE, ""),
    (constants.ERROR, "Could not save", ""),
    (constants.ERROR, "An error with its own tag", "sticky"),
    (constants.SUCCESS, mark_safe("<strong>Saved</strong>"), ""),
    (constants.WARNING, "Careful", HOSTILE),
]


@pytest.mark.parametrize("signup_open", [True, False])
@pytest.mark.parametrize("queued", [(), MESSAGES], ids=["no messages", "messages"])
@pytest.mark.parametrize("signed_in", [True, False])
def test_the_frame_writes_what_the_template_wrote(
    settings, make_user, signed_in, queued, signup_open
):
    settings.SIGNUP_OPEN = signup_open
    user = make_user(f"{HOSTILE}@example.com") if signed_in else AnonymousUser()
    for ours, theirs in frame_and_template(a_request(user, queued)):
        assert ours == theirs


@pytest.mark.parametrize("prefix", ["/", "/clinic&a/"])
def test_under_a_script_prefix_and_another_cdn_address(make_user, prefix):
    """Kept per URL configuration and script prefix, forgotten when a setting changes."""
    request = a_request(make_user("alice@example.com"))
    frame_and_template(request)  # keeps the frame for "/"
    set_script_prefix(prefix)
    try:
        with override_settings(ASSET_BASE_URL="https://assets.example.org/npm?a=1&b=<2>"):
            parts = frame_and_template(request)
            for ours, theirs in parts:
                assert ours == theirs
            assert "npm?a=1&amp;b=&lt;2&gt;/bootstrap@" in parts[0][0] + parts[2][0]
        for ours, theirs in frame_and_template(request):
            assert ours == theirs
            assert "assets.example.org" not in ours
    finally:
        set_script_prefix("/")


def test_a_mounted_url_configuration(make_user):
    request = a_request(make_user("alice@example.com"))
    frame_and_template(request)
    with override_settings(ROOT_URLCONF="tests.tracking.mounted_urls"):
        parts = frame_and_template(request)
        for ours, theirs in parts:
            assert ours == theirs
        top = parts[1][0]
        assert f'href="{reverse("worklist")}"' in top and 'href="/app/worklist/"' in top


def test_text_from_the_account_and_messages_is_escaped(make_user):
    request = a_request(make_user(f"{HOSTILE}@example.com"), MESSAGES)
    top = rendered("{% load page_frame %}{% page_top %}", request)
    escaped = "&lt;i&gt;x&lt;/i&gt; &amp; &quot;q&quot; &#x27;s"
    assert f">{escaped}@example.com</a>" in top
    assert f"\n      {escaped}\n" in top  # the message
    assert f"alert-{escaped} warning alert-dismissible" in top  # its extra tags
    assert "alert-danger alert-dismissible" in top and "alert-sticky error alert-" in top
    assert "\n      <strong>Saved</strong>\n" in top  # marked safe where it was queued
    assert HOSTILE not in top


def test_messages_are_read_only_when_there_are_some(make_user):
    """{% for %} did not iterate an empty list: iterating marks the storage used, and the
    response then deletes the messages cookie."""
    empty = a_request(make_user("alice@example.com"))
    rendered("{% load page_frame %}{% page_top %}", empty)
    assert not empty._messages.used
    queued = a_request(AnonymousUser(), [(constants.INFO, "Hello", "")])
    rendered("{% load page_frame %}{% page_top %}", queued)
    assert queued._messages.used


def test_the_sign_out_form_carries_the_pages_csrf_token(owner):
    """The token in the frame is the request's own: signing out with it works, and it is the
    token of the page's other forms."""
    browser = Client(enforce_csrf_checks=True)
    browser.login(username=owner.email, password=PASSWORD)
    page = browser.get(reverse("patient_create")).content.decode()
    tokens = TOKEN.findall(page)
    assert len(tokens) >= 2 and len(set(tokens)) == 1
    assert browser.post(reverse("logout"), {"csrfmiddlewaretoken": tokens[0]}).status_code == 302
    assert browser.get(reverse("worklist")).status_code == 302  # signed out


def test_a_page_has_the_frame(owner_client, patient):
    page = owner_client.get(reverse("worklist")).content.decode()
    assert page.count('<nav class="navbar') == 1 and "Sign out</button>" in page
    assert page.count('crossorigin="anonymous"') == 2
    assert '<main class="container flex-grow-1 py-3" id="main" tabindex="-1">' in page


# charts/chart_scripts.html before charts_tags.chart_scripts, and {% static %}: the reference.
TEMPLATE_CHART_SCRIPTS = """{% load static %}
<script src="{{ assets.chartjs.url }}" integrity="{{ assets.chartjs.integrity }}" crossorigin="anonymous" defer></script>
<script src="{{ assets.chartjs_date_adapter.url }}" integrity="{{ assets.chartjs_date_adapter.integrity }}" crossorigin="anonymous" defer></script>
<script src="{{ assets.chartjs_annotation.url }}" integrity="{{ assets.chartjs_annotation.integrity }}" crossorigin="anonymous" defer></script>
<script src="{% static 'js/chart_parts.js' %}" defer></script>
<script src="{% static 'js/patient_charts.js' %}" defer></script>
|{% static 'js/copy.js' %}|{% static "css/charts.css" %}"""  # noqa: E501
KEPT = "{% load page_frame charts_tags %}{% chart_scripts %}|{% static_url 'js/copy.js' %}|"
KEPT += '{% static_url "css/charts.css" %}'


def test_static_files_and_the_chart_scripts_are_what_the_tags_wrote():
    request = a_request(AnonymousUser())
    assert rendered(KEPT, request) == rendered(TEMPLATE_CHART_SCRIPTS, request)
    with override_settings(
        STATIC_URL="/files&x/", ASSET_BASE_URL="https://assets.example.org/npm?a=1&b=<2>"
    ):
        ours = rendered(KEPT, request)
        assert ours == rendered(TEMPLATE_CHART_SCRIPTS, request)
        assert "/files&amp;x/js/copy.js" in ours and "npm?a=1&amp;b=&lt;2&gt;/chart.js@" in ours
    assert rendered(KEPT, request) == rendered(TEMPLATE_CHART_SCRIPTS, request)


def test_a_file_missing_from_the_manifest_fails_as_static_did(tmp_path):
    """Kept only once written: a missing manifest entry raises on every page, as before."""
    storage = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    manifest = tmp_path / "staticfiles.json"
    manifest.write_text('{"paths": {}, "version": "1.1", "hash": "x"}')
    with override_settings(STATIC_ROOT=tmp_path, STORAGES={"staticfiles": storage}, DEBUG=False):
        for _ in range(2):
            with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
                rendered("{% load page_frame %}{% static_url 'js/copy.js' %}", a_request(None))


@pytest.mark.parametrize("tag", ["{% static_url %}", "{% static_url path %}", "{% page_top x %}"])
def test_the_tags_take_what_they_can_keep(tag):
    with pytest.raises(TemplateSyntaxError):
        engines["django"].from_string("{% load page_frame %}" + tag)
