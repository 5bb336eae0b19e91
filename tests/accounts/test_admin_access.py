"""/admin/ is for staff who signed in with two-factor; anyone else signed in gets a 403
page (not a redirect loop through the sign-in page)."""

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import force_login_with_two_factor

ADMIN = "/admin/"


def make_staff(user):
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_a_signed_in_user_who_is_not_staff_gets_a_403(owner_client):
    response = owner_client.get(ADMIN)
    assert response.status_code == 403
    assert "for the operator of this server" in response.content.decode()
    assert owner_client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_staff_without_two_factor_are_told_to_turn_it_on(owner_client, owner):
    make_staff(owner)
    response = owner_client.get(ADMIN)
    assert response.status_code == 403
    page = response.content.decode()
    assert "two-factor" in page
    assert reverse("twofactor_setup") in page


def test_staff_whose_session_skipped_the_code_are_refused(owner_client, owner):
    make_staff(owner)
    TOTPDevice.objects.create(user=owner, name="Authenticator app", confirmed=True)
    response = owner_client.get(ADMIN)
    assert response.status_code == 403
    assert reverse("logout") in response.content.decode()


def test_staff_signed_in_with_two_factor_use_the_admin(client, owner):
    force_login_with_two_factor(client, make_staff(owner))
    assert client.get(ADMIN).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_a_visitor_is_sent_to_sign_in(client, db):
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
