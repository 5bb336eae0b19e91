"""Emails about sharing. Plain text from templates/sharing/email/; they name the person
and nothing of their health data. Without a mail server (settings.MAIL_CONFIGURED off)
nothing is sent: the page the owner sees already says what happened."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

logger = logging.getLogger(__name__)


def _send(template, account, context) -> bool:
    return _send_to(template, account.email, context)


def _send_to(template, address, context) -> bool:
    """Mail one notification; False when there is no mail or it failed. A failure is not
    the change's: the change stands, and the log names only the exception's class (an
    invitation's body holds its link)."""
    if not settings.MAIL_CONFIGURED:
        return False
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"sharing/email/{template}_subject.txt", context)
    body = render_to_string(f"sharing/email/{template}_body.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [address])
    except Exception as error:  # any backend failure
        logger.warning("sharing email %s not sent (%s)", template, type(error).__name__)
        return False
    return True


def removed(account, person) -> None:
    """The owner took away `account`'s access to `person`."""
    _send("removed", account, {"person_name": person.name})


def invited(invitation, token) -> bool:
    """The invitation with its link, to the invited address. False if not mailed (the
    owner is then shown the link)."""
    return _send_to(
        "invited",
        invitation.email,
        {
            "invitation": invitation,
            "person_name": invitation.person.name,
            "inviter": invitation.invited_by.email,
            "link": settings.SITE_URL + reverse("invitation_accept", args=[token]),
            "days": settings.SHARING_INVITATION_DAYS,
        },
    )


def accepted(inviter, account, person) -> None:
    """The inviter learns that `account` accepted and now has access."""
    _send("accepted", inviter, {"person_name": person.name, "member": account.email})


def transfer_proposed(transfer) -> None:
    """The member offered ownership is asked to accept it."""
    link = settings.SITE_URL + reverse("patient_transfer", args=[transfer.person_id])
    context = {"person_name": transfer.person.name, "owner": transfer.from_account.email}
    _send("transfer_proposed", transfer.to_account, {**context, "link": link})


def transfer_accepted(transfer) -> None:
    """The previous owner learns that the transfer is done (and that they stay an editor)."""
    context = {"person_name": transfer.person.name, "new_owner": transfer.to_account.email}
    _send("transfer_accepted", transfer.from_account, context)


def person_erased(addresses, person_name, owner) -> None:
    """The other members learn that the person they shared is gone for good."""
    for address in addresses:
        _send_to("person_erased", address, {"person_name": person_name, "owner": owner})
