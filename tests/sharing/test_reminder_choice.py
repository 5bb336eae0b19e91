"""Each member chooses whose re-check reminders they get, on the Reminders page; a clinician
takes (or drops) them for every person they can edit in one action (issue 15 item 7)."""

import pytest
from django.urls import reverse

from rlsapp.tracking.memberships import EDITOR, VIEWER, Membership
from rlsapp.tracking.models import Patient

pytestmark = pytest.mark.django_db


def gets(account, person):
    return Membership.objects.get(account=account, person=person).gets_reminders


def test_the_reminders_page_lists_each_person_with_the_members_choice(
    bob, bob_client, patient, owner
):
    Membership.objects.create(person=patient, account=bob, role=VIEWER, gets_reminders=False)
    own = Patient.objects.create(owner=bob, name="Bob himself")
    page = bob_client.get(reverse("reminders")).content.decode()
    assert "Whose re-checks you get" in page
    assert f'value="{patient.pk}" id="gets-{patient.pk}">' in page, "unticked"
    assert f'value="{own.pk}" id="gets-{own.pk}" checked>' in page
    assert "you can view" in page


def test_ticks_are_saved_for_the_account_only(bob, bob_client, patient, owner, outsider):
    Membership.objects.create(person=patient, account=bob, role=VIEWER, gets_reminders=False)
    own = Patient.objects.create(owner=bob, name="Bob himself")
    stranger = Patient.objects.create(owner=outsider, name="Charlie")
    response = bob_client.post(
        reverse("reminder_people"),
        {
            "action": "save",
            "shown": [patient.pk, own.pk, stranger.pk, "x"],
            "gets": [patient.pk, stranger.pk],
        },
    )
    assert response.status_code == 302
    assert gets(bob, patient) and not gets(bob, own)
    assert gets(owner, patient), "Alice's own choice is hers"
    assert not Membership.objects.filter(account=bob, person=stranger).exists()
    assert gets(outsider, stranger)


def test_a_clinician_takes_or_drops_them_for_everyone_they_can_edit(bob, bob_client, make_user):
    people = {}
    for role in (EDITOR, VIEWER):
        other = make_user(f"{role}@example.com")
        person = Patient.objects.create(owner=other, name=role)
        Membership.objects.create(person=person, account=bob, role=role, gets_reminders=False)
        people[role] = person
    own = Patient.objects.create(owner=bob, name="Own")
    Membership.objects.filter(account=bob, person=own).update(gets_reminders=False)
    bob_client.post(reverse("reminder_people"), {"action": "take_editable"})
    assert gets(bob, people[EDITOR]) and gets(bob, own)
    assert not gets(bob, people[VIEWER]), "only those they can edit"
    bob_client.post(reverse("reminder_people"), {"action": "drop_editable"})
    assert not gets(bob, people[EDITOR]) and not gets(bob, own)


def test_signed_out_or_get_changes_nothing(client, bob_client, patient, owner):
    assert client.post(reverse("reminder_people"), {"action": "drop_editable"}).status_code == 302
    assert bob_client.get(reverse("reminder_people")).status_code == 405
    assert gets(owner, patient)


def test_everyone_they_can_edit_is_the_roles_own_rule(bob, patient, monkeypatch):
    # "Can edit" is decided once (memberships.ROLES_THAT_CAN, role_allows), not copied here:
    # were editors no longer to edit, taking the reminders of everyone editable skips them.
    from rlsapp.sharing import services
    from rlsapp.tracking import memberships

    Membership.objects.create(person=patient, account=bob, role=EDITOR, gets_reminders=False)
    own = Patient.objects.create(owner=bob, name="Bob himself")
    Membership.objects.filter(account=bob, person=own).update(gets_reminders=False)
    monkeypatch.setitem(memberships.ROLES_THAT_CAN, memberships.EDIT, [memberships.OWNER])
    assert services.set_gets_reminders_where_editing(bob, True) == 1
    assert (gets(bob, own), gets(bob, patient)) == (True, False)
