"""rlsapp/csrf_token.py: the pages' CSRF token is Django's masking of the request's secret,
with the mask drawn in one piece."""

import re

import pytest
from django.middleware import csrf
from django.test import Client, RequestFactory
from django.urls import reverse

from rlsapp import csrf_token
from tests.conftest import PASSWORD

ALLOWED = set(csrf.CSRF_ALLOWED_CHARS)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
EDGES = [0, 1, 61, 62, 62**16 + 5, 62**32 - 1]


@pytest.mark.parametrize("number", EDGES + list(range(7, 62**32, 62**32 // 37)))
def test_the_token_is_djangos_masking_with_the_drawn_mask(monkeypatch, number):
    secret = csrf._get_new_csrf_string()
    ours = csrf_token.masked(secret, number)
    # Django's own masking, given the mask read from the number's base-62 digits.
    monkeypatch.setattr(csrf, "_get_new_csrf_string", lambda: ours[:32])
    assert ours == csrf._mask_cipher_secret(secret)
    assert csrf._unmask_cipher_token(ours) == secret


def test_every_mask_digit_comes_from_the_number():
    """The 32 mask characters are the number's 32 base-62 digits, lowest first: every
    character of the alphabet can appear at every place, and nothing else can."""
    chars = csrf.CSRF_ALLOWED_CHARS
    secret = "a" * 32
    assert csrf_token.masked(secret, 0)[:32] == "a" * 32
    assert csrf_token.masked(secret, 62**32 - 1)[:32] == "9" * 32
    for place in (0, 17, 31):
        for digit in (1, 30, 61):
            mask = csrf_token.masked(secret, digit * 62**place)[:32]
            assert mask == "a" * place + chars[digit] + "a" * (31 - place)


def test_get_masked_token_leaves_the_request_as_get_token_does():
    ours, theirs = RequestFactory().get("/"), RequestFactory().get("/")
    secret = csrf._get_new_csrf_string()
    ours.META["CSRF_COOKIE"] = theirs.META["CSRF_COOKIE"] = secret
    tokens = {csrf_token.get_masked_token(ours) for _ in range(50)}
    csrf.get_token(theirs)
    assert {k: v for k, v in ours.META.items() if k.startswith("CSRF")} == {
        k: v for k, v in theirs.META.items() if k.startswith("CSRF")
    }
    assert len(tokens) == 50 and all(len(t) == 64 and set(t) <= ALLOWED for t in tokens)
    assert {csrf._unmask_cipher_token(t) for t in tokens} == {secret}


def test_without_a_secret_django_makes_one_and_schedules_the_cookie():
    request = RequestFactory().get("/")
    token = csrf_token.get_masked_token(request)
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert csrf._unmask_cipher_token(token) == request.META["CSRF_COOKIE"]


@pytest.mark.django_db
def test_pages_carry_it_and_posts_with_it_pass_the_check(owner):
    browser = Client(enforce_csrf_checks=True)
    browser.login(username=owner.email, password=PASSWORD)
    first = TOKEN.findall(browser.get(reverse("patient_create")).content.decode())
    second = TOKEN.findall(browser.get(reverse("patient_create")).content.decode())
    assert first and second and first[0] != second[0]  # a new mask for every page
    secret = browser.cookies["csrftoken"].value
    assert {csrf._unmask_cipher_token(t) for t in first + second} == {secret}
    created = browser.post(reverse("patient_create"), {"csrfmiddlewaretoken": first[0], "name": ""})
    assert created.status_code == 200  # the form's own errors, not the CSRF failure (403)
    assert browser.post(reverse("logout"), {"csrfmiddlewaretoken": "x" * 64}).status_code == 403


@pytest.mark.django_db
def test_the_pages_token_is_this_modules(owner_client, monkeypatch):
    owner_client.get(reverse("patient_create"))  # the secret's cookie
    monkeypatch.setattr(csrf_token.secrets, "randbelow", lambda below: 62**5 * 7 + 3)
    page = owner_client.get(reverse("patient_create")).content.decode()
    secret = owner_client.cookies["csrftoken"].value
    assert set(TOKEN.findall(page)) == {csrf_token.masked(secret, 62**5 * 7 + 3)}
