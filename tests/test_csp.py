"""Content-Security-Policy: only our origin and the pinned CDN run scripts, inline ones need
the per-request nonce, and no page relies on anything the policy would block."""

import re
from html.parser import HTMLParser

import pytest
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from rlsapp.assets import ASSETS
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, SymptomScore
from tests.conftest import PASSWORD


def directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.handlers, self.style_attributes = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "style":
            self.styles.append(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]
        if "style" in attrs:
            self.style_attributes.append((tag, attrs["style"]))


def test_the_policy_allows_only_our_origin_and_the_pinned_cdn(owner_client, patient):
    policy = directives(owner_client.get(patient.get_absolute_url()))
    pinned_js = [a.url for a in ASSETS.values() if a.path.endswith(".js")]

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][: len(pinned_js) + 1] == ["'self'", *pinned_js]
    assert all(src.startswith("'nonce-") for src in policy["script-src"][len(pinned_js) + 1 :])
    assert policy["style-src"] == ["'self'", ASSETS["bootstrap_css"].url]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in str(policy) and "'unsafe-eval'" not in str(policy)


def test_the_cdn_is_allowed_file_by_file_so_other_packages_on_it_cannot_run(owner_client, db):
    # jsDelivr's /npm/ serves every package anyone publishes: a folder source let injected
    # markup load any script from there (an external probe loaded an unpinned package).
    policy = directives(owner_client.get(reverse("worklist")))
    cdn = [src for src in policy["script-src"] + policy["style-src"] if src.startswith("https:")]
    assert cdn and all(src in {a.url for a in ASSETS.values()} for src in cdn)
    assert not any(src.endswith("/") for src in cdn)


def test_a_nonce_read_by_a_template_is_in_the_header_and_new_each_request():
    seen = []

    def page(request):
        seen.append(str(request.csp_nonce))
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    middleware = CSPMiddleware(page)
    first = middleware(RequestFactory().get("/"))
    second = middleware(RequestFactory().get("/"))

    assert f"'nonce-{seen[0]}'" in directives(first)["script-src"]
    assert f"'nonce-{seen[1]}'" in directives(second)["script-src"]
    assert seen[0] != seen[1] and len(seen[0]) >= 16


@pytest.fixture
def full_patient(patient, today):
    draw = LabDraw.objects.create(patient=patient, drawn_on=today)
    LabResult.objects.create(
        draw=draw, analyte="ferritin", value=40, entered_value="40", entered_unit="µg/L"
    )
    Infusion.objects.create(patient=patient, given_on=today)
    SymptomScore.objects.create(patient=patient, recorded_on=today, severity=4)
    return patient


PAGES = [
    ("worklist", False),
    ("patient_create", False),
    ("account_settings", False),
    ("reminders", False),
    ("twofactor_setup", False),
    ("patient_detail", True),
    ("patient_edit", True),
    ("patient_history", True),
    ("draw_list", True),
    ("draw_create", True),
    ("infusion_create", True),
    ("symptom_create", True),
]


@pytest.mark.parametrize(("url_name", "with_patient"), PAGES)
def test_every_page_runs_only_what_the_policy_allows(
    owner_client, full_patient, url_name, with_patient
):
    url = reverse(url_name, args=[full_patient.pk] if with_patient else [])
    if url_name == "twofactor_setup":
        owner_client.post(url, {"password": PASSWORD})  # on to the page with the QR code
    response = owner_client.get(url)
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    tags = Tags()
    tags.feed(response.content.decode())

    for script in tags.scripts:
        src = script.get("src")
        if src:
            assert src.startswith(
                (settings.STATIC_URL, "/" + settings.STATIC_URL, settings.ASSET_BASE_URL + "/")
            ), src
            if src.startswith(settings.ASSET_BASE_URL):
                assert script.get("integrity", "").startswith("sha384-"), src
        else:
            assert nonce and script.get("nonce") == nonce.group(1), "inline script without nonce"
    for style in tags.styles:
        assert nonce and style.get("nonce") == nonce.group(1), "inline style without nonce"
    assert not tags.handlers, f"inline event handlers are blocked: {tags.handlers}"
    assert not tags.style_attributes, f"style attributes are blocked: {tags.style_attributes}"


def test_the_login_page_has_the_policy_too(client, db):
    response = client.get(reverse("login"))
    assert directives(response)["default-src"] == ["'self'"]
