import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient, SymptomScore

from ..conftest import PASSWORD
from .records import fill

pytestmark = pytest.mark.django_db


def test_the_settings_page_links_the_full_export_and_deletion(owner_client):
    page = owner_client.get(reverse("account_settings")).content.decode()
    assert reverse("account_export") in page
    assert reverse("account_delete") in page


def test_the_patient_page_links_import_and_exports(owner_client, patient):
    page = owner_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    for name in ("patient_import", "patient_export_csv", "patient_export_fhir"):
        assert reverse(name, args=[patient.pk]) in page


def test_deletion_needs_the_password(owner_client, owner, patient):
    response = owner_client.post(
        reverse("account_delete"), {"password": "wrong password", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    assert get_user_model().objects.filter(pk=owner.pk).exists()


def test_deletion_needs_the_confirmation_box(owner_client, owner):
    owner_client.post(reverse("account_delete"), {"password": PASSWORD})
    assert get_user_model().objects.filter(pk=owner.pk).exists()


def test_deletion_removes_the_account_and_everything_in_it(owner_client, owner, patient, outsider):
    fill(patient)
    theirs = Patient.objects.create(owner=outsider, name="Charlie")
    fill(theirs)
    response = owner_client.post(reverse("account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=owner.pk).exists()
    assert list(Patient.objects.all()) == [theirs]
    assert LabDraw.objects.exclude(patient=theirs).count() == 0
    assert LabResult.objects.exclude(draw__patient=theirs).count() == 0
    assert Infusion.objects.exclude(patient=theirs).count() == 0
    assert SymptomScore.objects.exclude(patient=theirs).count() == 0
    # the change history goes too: "deleted" must mean gone
    assert LabDraw.history.exclude(patient_id=theirs.pk).count() == 0
    assert LabResult.history.exclude(draw__patient=theirs).count() == 0
    # signed out: the next page asks to sign in
    assert owner_client.get(reverse("home")).status_code == 302
