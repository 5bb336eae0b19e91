"""An edit sent for a record deleted since its form was opened (two tabs, two devices, or
two people sharing a record): the form comes back as sent, saying so, not a bare 404 that
loses what was typed; nothing is saved, and anyone who may not edit the person still gets
the 404 a missing record gets."""

import pytest
from django.urls import reverse

from rlsapp.tracking.memberships import Membership
from tests.conftest import client_for
from tests.tracking.test_undo_every_delete import make

KINDS = ["infusion", "symptom", "course", "medicine", "medicine_event"]


def sent_form(client, url):
    """The edit form's own values, as the browser sends them back."""
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {
        k: "on" if v is True else ("" if v is None else v)
        for k, v in data.items()
        if v is not False
    }


@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_of_a_record_deleted_meanwhile_keeps_what_was_typed(owner_client, patient, kind):
    record = make(kind, patient)
    url = reverse(f"{kind}_edit", args=[record.pk])
    data = sent_form(owner_client, url)
    note = "notes" if "notes" in data else "note"
    owner_client.post(reverse(f"{kind}_delete", args=[record.pk]))  # the other tab

    response = owner_client.post(url, data | {note: "typed in the second tab"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "typed in the second tab" in html
    assert response.context["form"].non_field_errors() == [
        f"This {response.context['kind'].singular} was deleted (in another tab, on another "
        "device or by another person) after you opened it, so your changes were NOT saved; "
        "they are still in the form below. To make them, restore it from the change history "
        "first."
    ]
    assert not type(record).objects.filter(pk=record.pk).exists()
    # Opened again (no changes typed), it leads to the history, where it can come back.
    assert owner_client.get(url)["Location"] == reverse("patient_history", args=[patient.pk])


@pytest.mark.parametrize("role", [None, "viewer"])
def test_anyone_who_may_not_edit_the_person_gets_the_404(owner_client, patient, make_user, role):
    record = make("course", patient)
    url = reverse("course_edit", args=[record.pk])
    data = sent_form(owner_client, url)
    owner_client.post(reverse("course_delete", args=[record.pk]))
    other = make_user("other@example.com")
    if role:
        Membership.objects.create(person=patient, account=other, role=role)
    client = client_for(other)
    assert client.post(url, data).status_code == 404
    assert client.get(url).status_code == 404
    never_saved = reverse("course_edit", args=[record.pk + 1000])
    assert owner_client.post(never_saved, data).status_code == 404
