"""Emails about sharing. Plain text from templates/sharing/email/; they name the person
and nothing of their health data. Without a mail server (settings.MAIL_CONFIGURED off)
nothing is sent: the page the owner sees already says what happened."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string


def _send(template, account, context) -> None:
    if not settings.MAIL_CONFIGURED:
        return
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"sharing/email/{template}_subject.txt", context)
    body = render_to_string(f"sharing/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [account.email])


def removed(account, person) -> None:
    """The owner took away `account`'s access to `person`."""
    _send("removed", account, {"person_name": person.name})
