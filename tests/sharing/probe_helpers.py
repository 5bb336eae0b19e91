"""Accounts, people and helpers the security probe's tests share
(tests/sharing/test_security_probe*.py)."""

import re

from django.test import Client

from rlsapp.sharing import services
from rlsapp.tracking.memberships import Membership


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def hand_over(patient, owner, to):
    transfer = services.propose_transfer(
        patient, owner, Membership.objects.get(person=patient, account=to)
    )
    services.accept_transfer(transfer, to)


def page_text(response):
    """The body without what differs on every answer (the masked CSRF token, the nonce)."""
    body = response.content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', r"\1=''", body)
