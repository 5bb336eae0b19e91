"""The admin's own password page is the app's throttled one: Django's admin form checks the
old password with no count, so a stolen staff session could guess the password there."""

from django.urls import reverse

from tests.accounts.test_admin_access import make_staff
from tests.conftest import PASSWORD, force_login_with_two_factor


def test_the_admin_password_page_is_the_apps_throttled_one(client, owner, settings):
    force_login_with_two_factor(client, make_staff(owner))
    response = client.get(reverse("admin:password_change"))
    assert response.status_code == 302 and response.url == reverse("password_change")

    new = {"new_password1": "Another-Password-77", "new_password2": "Another-Password-77"}
    for attempt in range(settings.PASSWORD_RECONFIRM_LIMIT):
        guess = {"old_password": f"guess-{attempt}-xxxxx", **new}
        response = client.post(reverse("admin:password_change"), guess)
    # Each guess went nowhere, so none was checked: the session is still the owner's.
    assert client.get("/admin/").status_code == 200
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_guesses_through_the_password_page_end_the_staff_session(client, owner, settings):
    force_login_with_two_factor(client, make_staff(owner))
    new = {"new_password1": "Another-Password-77", "new_password2": "Another-Password-77"}
    for attempt in range(settings.PASSWORD_RECONFIRM_LIMIT):
        target = client.get(reverse("admin:password_change")).url
        client.post(target, {"old_password": f"guess-{attempt}-xxxxx", **new})
    assert client.get("/admin/").status_code == 302  # signed out: sign in again
