"""Password reset, as an outside probe sees it: its timing says nothing about accounts, and
every account that signs in with a password can get a reset link."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from rlsapp.accounts import views
from tests.accounts.test_signup import confirm_link, follow_confirmation, sign_up


def ask_for_reset(email):
    """The reset form answered as gunicorn answers it: the response first, then close()."""
    request = RequestFactory().post(reverse("password_reset"), {"email": email})
    request.session = Client().session
    request._dont_enforce_csrf_checks = True  # the view's own csrf_protect, as the client
    return views.password_reset(request)


def test_the_reset_email_goes_out_after_the_answer_not_before_it(owner, mail_on):
    # An address with an account made the answer wait for the mail server, one without
    # did not: the time to answer told whether an address has an account.
    response = ask_for_reset("alice@example.com")
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert mail.outbox == []  # nothing sent while the client waits for the answer
    response.close()  # the server calls this once the answer is written out
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_an_address_without_an_account_answers_the_same_and_mails_nothing(db, mail_on):
    response = ask_for_reset("nobody@example.com")
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    response.close()
    assert mail.outbox == []


def test_a_mail_server_failure_after_the_answer_is_logged_without_the_address(
    owner, mail_on, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.accounts.test_password_reset_probe.FailingBackend"
    response = ask_for_reset("alice@example.com")
    response.close()  # must not raise into the server
    assert "password reset email failed" in caplog.text
    assert "alice" not in caplog.text


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down for alice@example.com")


@pytest.mark.parametrize(
    "how", ["confirmed in another browser", "made by the operator with --link"]
)
def test_an_account_without_a_usable_password_gets_a_reset_link(client, db, mail_on, how):
    # Django's form mails only accounts with a usable password; here every account signs
    # in with one, and the two flows below leave it unusable and send the person to the
    # reset form, which then mailed nothing: the account could never be used.
    if how == "confirmed in another browser":
        sign_up(client, "bea@example.com")
        response = follow_confirmation(Client(), confirm_link(mail.outbox[0]))
        assert response.url == reverse("password_reset")
    else:
        user = get_user_model().objects.create_user("bea@example.com", email_confirmed=True)
        user.set_unusable_password()
        user.save()
    mail.outbox.clear()
    Client().post(reverse("password_reset"), {"email": "bea@example.com"})
    assert [m.to for m in mail.outbox] == [["bea@example.com"]]
    link = re.search(r"https?://\S+/reset/\S+/", mail.outbox[0].body).group(0)
    browser = Client()
    form_page = browser.get(link, follow=True)
    new = {"new_password1": "a-new-long-password-9", "new_password2": "a-new-long-password-9"}
    done = browser.post(form_page.redirect_chain[-1][0], new)
    assert done.status_code == 302
    assert Client().login(username="bea@example.com", password="a-new-long-password-9")


def test_an_inactive_account_still_gets_no_reset_link(make_user, mail_on):
    user = make_user("bea@example.com")
    user.is_active = False
    user.save()
    Client().post(reverse("password_reset"), {"email": "bea@example.com"})
    assert mail.outbox == []


@pytest.mark.parametrize("form", ["reset", "sign-up"])
def test_emailed_links_name_site_url_not_the_requests_host(make_user, mail_on, settings, form):
    # Any host the server answers to (ALLOWED_HOSTS, "*" at worst) made the link: a request
    # naming another host had the account's secret link mailed pointing there.
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://rls.example.org"
    make_user("bea@example.com")
    if form == "reset":
        data, url = {"email": "bea@example.com"}, reverse("password_reset")
    else:
        data = {
            "email": "new@example.com",
            "password1": "a-long-pass-9x",
            "password2": "a-long-pass-9x",
        }
        url = reverse("signup")
    Client().post(url, data, HTTP_HOST="attacker.example")
    links = re.findall(r"https?://\S+", mail.outbox[0].body)
    assert links and all(link.startswith("https://rls.example.org/") for link in links)
