import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.conftest import PASSWORD, force_login_with_two_factor

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("admin@example.com", PASSWORD)
    return force_login_with_two_factor(client, user)


@pytest.mark.parametrize(("app", "model"), REGISTERED, ids=[f"{a}.{m}" for a, m in REGISTERED])
def test_every_model_has_a_working_admin_list_and_add_page(admin_client, app, model):
    assert admin_client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    add = admin_client.get(reverse(f"admin:{app}_{model}_add"))
    assert add.status_code in (200, 403)  # 403 where adding by hand is switched off


def test_the_tracking_models_are_all_in_the_admin():
    assert {m for a, m in REGISTERED if a == "tracking"} >= {
        "patient",
        "labdraw",
        "labresult",
        "infusion",
        "symptomscore",
        "oralironcourse",
        "medication",
        "medicationevent",
    }


def test_an_admin_can_create_a_user_by_email(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.com",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(email="new@example.com").exists()


def test_the_admin_cannot_move_a_record_to_another_person(admin_client, make_user):
    # Moving one record would leave it in the old person's history and cached pages: the
    # person is read-only on a record's change page, and a posted person is ignored.
    import datetime

    from rlsapp.tracking import services
    from rlsapp.tracking.models import Infusion, Patient

    owner = make_user("owner@example.com")
    first = services.save_person(Patient(owner=owner, name="First"))
    second = services.save_person(Patient(owner=owner, name="Second"))
    infusion = services.save_record(
        Infusion(patient=first, given_on=datetime.date(2025, 1, 2), dose_mg=1000)
    )
    url = reverse("admin:tracking_infusion_change", args=[infusion.pk])
    page = admin_client.get(url)
    assert "patient" not in page.context["adminform"].form.fields
    data = {
        "patient": second.pk,
        "given_on": "2025-01-02",
        "product": "fcm",
        "product_other": "",
        "dose_mg": "900",
        "reaction": "",
        "notes": "",
    }
    assert admin_client.post(url, data).status_code == 302
    infusion.refresh_from_db()
    assert (infusion.patient_id, infusion.dose_mg) == (first.pk, 900)


def test_who_shares_a_person_is_shown_and_cannot_be_changed_in_the_admin(admin_client, make_user):
    from rlsapp.tracking import services
    from rlsapp.tracking.memberships import VIEWER, Membership
    from rlsapp.tracking.models import Patient

    owner, carer = make_user("owner@example.com"), make_user("carer@example.com")
    person = services.save_person(Patient(owner=owner, name="Dora"))
    shared = Membership.objects.create(person=person, account=carer, role=VIEWER)
    listing = admin_client.get(reverse("admin:tracking_membership_changelist")).content.decode()
    assert "carer@example.com" in listing and "Dora" in listing
    assert str(shared) == "carer@example.com: can view, Dora"  # the page's title, in words
    for model in ("tracking_membership", "sharing_invitation", "sharing_transfer"):
        assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 403
    change = reverse("admin:tracking_membership_change", args=[shared.pk])
    page = admin_client.get(change)
    assert page.status_code == 200  # a view page, nothing to save
    assert (
        reverse("admin:tracking_membership_delete", args=[shared.pk]) not in page.content.decode()
    )
    admin_client.post(change, {"role": "owner"})
    shared.refresh_from_db()
    assert shared.role == VIEWER
    delete = reverse("admin:tracking_membership_delete", args=[shared.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=shared.pk).exists()


def test_deleting_an_account_in_the_admin_names_the_shared_people_it_takes(admin_client, make_user):
    from rlsapp.tracking import services
    from rlsapp.tracking.memberships import EDITOR, Membership
    from rlsapp.tracking.models import Patient

    owner, carer = make_user("owner@example.com"), make_user("carer@example.com")
    shared = services.save_person(Patient(owner=owner, name="Dora"))
    services.save_person(Patient(owner=owner, name="Only mine"))
    services.save_person(Patient(owner=carer, name="Carer's own"))
    Membership.objects.create(person=shared, account=carer, role=EDITOR)
    url = reverse("admin:accounts_user_delete", args=[owner.pk])
    page = admin_client.get(url).content.decode()
    assert "owns people whom other accounts share" in page
    assert "Dora: shared with carer@example.com (can edit)" in page
    assert "Only mine:" not in page
    changelist = admin_client.get(reverse("admin:accounts_user_changelist"))
    assert "delete_selected" not in changelist.content.decode()  # one at a time, warned

    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not get_user_model().objects.filter(pk=owner.pk).exists()
    assert list(Patient.objects.values_list("name", flat=True)) == ["Carer's own"]
    # Through the service, which erases the people's change history too (a plain cascade
    # would leave it, with a "deleted" row added).
    assert not Patient.history.filter(name__in=["Dora", "Only mine"]).exists()


def test_the_admin_deletes_a_draw_a_person_or_an_account_with_their_results(
    admin_client, make_user
):
    # Each takes lab results with it, and Django asks the results' admin for permission to
    # delete every one: refused there, each delete was a 403. A result alone still cannot be
    # deleted here (it changes through its draw).
    import datetime

    from rlsapp.domain.units import Measurement
    from rlsapp.reminders.models import Reminder
    from rlsapp.tracking import services
    from rlsapp.tracking.models import LabDraw, LabResult, Patient

    def person_with_results(owner, name):
        person = services.save_person(Patient(owner=owner, name=name))
        for day in (datetime.date(2026, 3, 1), datetime.date(2026, 6, 1)):
            ferritin = Measurement("ferritin", 40, "", "40", "µg/L")
            services.save_draw(LabDraw(patient=person, drawn_on=day), {"ferritin": ferritin})
        return person

    owner = make_user("owner@example.com")
    dora = person_with_results(owner, "Dora")
    first, second = LabDraw.objects.filter(patient=dora).order_by("drawn_on")
    result = LabResult.objects.get(draw=first)
    assert (
        admin_client.post(
            reverse("admin:tracking_labresult_delete", args=[result.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    changelist = admin_client.get(reverse("admin:tracking_labresult_changelist"))
    assert "delete_selected" not in changelist.content.decode()

    delete_second = reverse("admin:tracking_labdraw_delete", args=[second.pk])
    assert admin_client.post(delete_second, {"post": "yes"}).status_code == 302
    # Through the service: the re-check follows the latest result left.
    assert Reminder.objects.open().get(patient=dora).latest_ferritin_on == first.drawn_on
    bulk = {"action": "delete_selected", "_selected_action": [first.pk], "post": "yes"}
    assert admin_client.post(reverse("admin:tracking_labdraw_changelist"), bulk).status_code == 302
    assert not LabDraw.objects.filter(patient=dora).exists()

    emma = person_with_results(owner, "Emma")
    delete_emma = reverse("admin:tracking_patient_delete", args=[emma.pk])
    assert admin_client.post(delete_emma, {"post": "yes"}).status_code == 302
    assert not Patient.objects.filter(pk=emma.pk).exists()

    person_with_results(owner, "Fred")
    delete_owner = reverse("admin:accounts_user_delete", args=[owner.pk])
    assert admin_client.post(delete_owner, {"post": "yes"}).status_code == 302
    assert not Patient.objects.exists() and not LabResult.objects.exists()
