"""A too-large upload is told so in the app's own page, with both numbers readable and the
same limit on the import form and on the 413 page."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from rlsapp.filesizes import describe_size, describe_sizes
from tests.interop.helpers import upload


@pytest.mark.parametrize(
    "size, limit, expected",
    [
        (5 * 1024 * 1024 + 1, 5 * 1024 * 1024, ("5,242,881 bytes", "5,242,880 bytes")),
        (5 * 1024 * 1024 + 40_000, 5 * 1024 * 1024, ("5.04 MB", "5.00 MB")),
        (6 * 1024 * 1024, 5 * 1024 * 1024, ("6.0 MB", "5.0 MB")),
        (3000, 2048, ("2.9 KB", "2.0 KB")),
        (900, 800, ("900 bytes", "800 bytes")),
    ],
)
def test_sizes_are_shown_with_enough_precision_to_differ(size, limit, expected):
    assert tuple(s.replace("\xa0", " ") for s in describe_sizes(size, limit)) == expected


def test_the_form_never_says_the_file_is_as_large_as_the_limit(owner_client, patient, settings):
    settings.IMPORT_MAX_BYTES = 5 * 1024 * 1024
    content = b"Date,Ferritin\n" + b"x" * (settings.IMPORT_MAX_BYTES - 13)
    assert len(content) == settings.IMPORT_MAX_BYTES + 1
    response = owner_client.post(
        reverse("patient_import", args=[patient.pk]), {"file": upload("big.csv", content)}
    )
    page = response.content.decode().replace("\xa0", " ")
    assert "The file is 5,242,881 bytes; the limit is 5,242,880 bytes" in page
    assert not re.search(r"is (\S+ \S+); the limit is \1", page)


def post_too_large(client, patient, **extra):
    return client.post(
        reverse("patient_import", args=[patient.pk]),
        data=b"x",
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1),
        **extra,
    )


def test_the_413_page_is_the_apps_page_with_a_way_back(owner_client, patient):
    back = reverse("patient_import", args=[patient.pk])
    response = post_too_large(owner_client, patient, HTTP_REFERER=f"http://testserver{back}")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "navbar" in page and "alice@example.com" in page  # the app's layout, signed in
    assert f'href="http://testserver{back}"' in page


def test_the_413_page_goes_back_home_when_the_referrer_is_elsewhere(owner_client, patient):
    response = post_too_large(owner_client, patient, HTTP_REFERER="https://evil.example/x")
    page = response.content.decode()
    assert "evil.example" not in page
    assert f'href="{reverse("home")}"' in page


def test_the_413_page_and_the_form_state_the_same_limit(owner_client, patient):
    limit = describe_size(settings.IMPORT_MAX_BYTES)
    page = post_too_large(owner_client, patient).content.decode()
    assert f"at most {limit}" in page
    form = owner_client.get(reverse("patient_import", args=[patient.pk])).content.decode()
    assert limit in form
