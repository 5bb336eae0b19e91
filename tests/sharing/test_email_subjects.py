"""Sharing emails are plain text: names in their subjects are written as typed, not as HTML.

A person named "O'Brien & Co" was mailed as "O&#x27;Brien &amp; Co's records": the
subject templates were rendered with HTML autoescaping (the bodies turn it off).
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

NAME = 'O\'Brien & "Co" <x>'
SUBJECTS = sorted(
    path.name
    for path in (Path(settings.BASE_DIR) / "templates" / "sharing" / "email").glob("*_subject.txt")
)


def test_every_sharing_email_has_its_subject_here():
    assert len(SUBJECTS) == 6


@pytest.mark.parametrize("template", SUBJECTS)
def test_a_subject_writes_names_as_typed(template):
    context = {key: NAME for key in ("person_name", "member", "inviter", "new_owner", "owner")}
    subject = render_to_string(f"sharing/email/{template}", context)
    assert NAME in subject
    assert "&" + "#" not in subject and "&amp;" not in subject


def test_an_invitation_mail_names_the_person_as_typed(client, owner, patient, mail_on, mailoutbox):
    patient.name = NAME
    patient.save()
    client.force_login(owner)
    response = client.post(
        f"/patients/{patient.pk}/people/invite/", {"email": "bob@example.com", "role": "viewer"}
    )
    assert response.status_code == 302
    assert f"shares {NAME}'s records" in mailoutbox[-1].subject
