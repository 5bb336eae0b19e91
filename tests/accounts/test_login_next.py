"""?next= pointing at a sign-in page (issue 13 item 7): no 500, no redirect loop."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.mark.parametrize(
    "next_url",
    [LOGIN, LOGIN + "?next=" + LOGIN, "/accounts/login/code/", "http://testserver/accounts/login/"],
)
def test_a_signed_in_person_sent_to_sign_in_again_lands_on_the_home_page(owner_client, next_url):
    response = owner_client.get(LOGIN, {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_signed_in_person_with_a_next_page_still_goes_there(owner_client, patient):
    response = owner_client.get(LOGIN, {"next": patient.get_absolute_url()})
    assert response["Location"] == patient.get_absolute_url()


def test_signing_in_with_next_set_to_the_sign_in_page_lands_on_the_home_page(client, owner):
    response = client.post(
        LOGIN + "?next=" + LOGIN, {"username": owner.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    landed = client.get(response["Location"], follow=True)
    assert landed.status_code == 200
    assert LOGIN not in [url for url, _ in landed.redirect_chain]
