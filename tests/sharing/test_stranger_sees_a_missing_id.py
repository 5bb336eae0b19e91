"""A person the account cannot see answers exactly as a missing one: the same status, the
same page and the same headers, and nothing of the person in any answer (issue 15,
Security). tests/test_isolation.py checks the status of every URL for every role; this
compares the whole answer with the answer for an id no row has, for an account that was
removed, one that tracks another person of its own, and one with no people at all.
"""

import io
import re
import zipfile

import pytest
from django.urls import reverse

from rlsapp.tracking import services
from rlsapp.tracking.models import Patient
from tests.test_isolation import (  # noqa: F401 (world: the matrix's fixture)
    REMOVED,
    RULES,
    STRANGER,
    URLS,
    Person,
    client_for,
    post_data,
    url_for,
    world,
)

NAME = "Zorbazella"  # in no page of the app but the person's own
NO_PEOPLE = "no_people"
# Differ from one answer to the next, whoever asks.
CLOCK_HEADERS = {"Date", "Expires"}


@pytest.fixture
def hidden(request, make_user):
    shared = request.getfixturevalue("world")
    person = shared.objects["patient"]
    person.name = NAME
    services.save_person(person)
    Patient.objects.create(owner=shared.accounts[STRANGER], name="Other", sex="M")
    shared.accounts[NO_PEOPLE] = make_user("nobody@example.com")
    return shared


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def page(response):
    """The body without what differs on every answer (the masked CSRF token, the nonce)
    or names the id asked for (the address in a form's action)."""
    text = re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', r"\1=''", body(response))
    return re.sub(r"/\d+/", "/N/", text)


def headers(response):
    return {k: v for k, v in response.headers.items() if k not in CLOCK_HEADERS}


@pytest.mark.parametrize("role", [REMOVED, STRANGER, NO_PEOPLE])
def test_a_hidden_person_answers_as_a_missing_id(hidden, role, today):
    differ = []
    for name, kwargs in URLS:
        if not isinstance(RULES[name], Person):
            continue
        for method in ("get", "post"):
            data = post_data(name, hidden, today) if method == "post" else None
            answers = []
            for missing in (False, True):
                client = client_for(hidden, role)
                url = url_for(name, kwargs, hidden, missing=missing)
                answers.append(getattr(client, method)(url, data))
            hid, gone = answers
            if hid.status_code != gone.status_code:
                differ.append((name, method, hid.status_code, gone.status_code))
            elif page(hid) != page(gone):
                differ.append((name, method, "page"))
            elif headers(hid) != headers(gone):
                differ.append((name, method, headers(hid), headers(gone)))
            if NAME in body(hid):
                differ.append((name, method, "shows the person's name"))
    assert not differ, "\n".join(map(str, differ))


@pytest.mark.parametrize("role", [REMOVED, STRANGER, NO_PEOPLE])
def test_the_accounts_own_pages_and_export_leave_the_person_out(hidden, role):
    client = client_for(hidden, role)
    asks = [{}, {"q": NAME[:4]}, {"show": "below"}, {"show": "overdue"}, {"sort": "name"}]
    for url in (reverse("home"), reverse("worklist"), reverse("reminders")):
        for ask in asks:
            response = client.get(url, ask, follow=True)
            assert response.status_code == 200
            assert NAME not in body(response), (url, ask)
    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("account_export")).getvalue()))
    for member in archive.namelist():
        assert NAME.lower() not in member.lower()
        assert NAME not in archive.read(member).decode(errors="replace"), member
