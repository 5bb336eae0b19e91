"""Pages with a form say Cache-Control: private, no-store before any session too: each holds
a CSRF token tied to the browser's cookie, which no shared cache may hand to someone else.
Pages without a form stay cacheable as before."""

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.parametrize("name", ["signup", "password_reset", "login"])
def test_an_anonymous_page_with_a_form_is_not_stored(db, mail_on, name):
    response = Client().get(reverse(name))
    assert response.status_code == 200 and "csrfmiddlewaretoken" in response.content.decode()
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_an_anonymous_page_without_a_form_is_left_alone(db, mail_on):
    response = Client().get(reverse("signup_sent"))
    assert response.status_code == 200 and "csrfmiddlewaretoken" not in response.content.decode()
    assert "no-store" not in response.get("Cache-Control", "")
