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
