"""Accounts, people and helpers the security probe's tests share
(tests/sharing/test_security_probe*.py)."""

import re

import pytest

from rlsapp.sharing import services
from rlsapp.tracking.memberships import EDITOR, VIEWER, Membership


# The probe's accounts, as fixtures its test files import (the root conftest's `bob` is an
# account with no access yet; here he is already an editor).
@pytest.fixture
def bob(make_user, patient):
    """An editor of Alice's person."""
    bob = make_user("bob@example.com")
    Membership.objects.create(person=patient, account=bob, role=EDITOR)
    return bob


@pytest.fixture
def vera(make_user, patient):
    """A viewer of Alice's person."""
    vera = make_user("vera@example.com")
    Membership.objects.create(person=patient, account=vera, role=VIEWER)
    return vera


def hand_over(patient, owner, to):
    transfer = services.propose_transfer(
        patient, owner, Membership.objects.get(person=patient, account=to)
    )
    services.accept_transfer(transfer, to)


def page_text(response):
    """The body without what differs on every answer (the masked CSRF token, the nonce)."""
    body = response.content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', r"\1=''", body)
