"""After a delete the message offers Undo: the restore the change history has (issue 11)."""

import datetime

import pytest
from django.urls import reverse

from rlsapp.tracking.models import Infusion, LabDraw, LabResult


@pytest.fixture
def draw(patient):
    draw = LabDraw.objects.create(patient=patient, drawn_on=datetime.date(2026, 10, 20))
    LabResult.objects.create(
        draw=draw, analyte="ferritin", value=64, entered_value="64", entered_unit="µg/L"
    )
    return draw


def undo_form(html):
    start = html.index("Deleted the")
    return html[start : html.index("</form>", start)]


def test_a_deleted_draw_comes_back_with_its_results_from_the_undo_button(
    owner_client, patient, draw
):
    page = owner_client.post(reverse("draw_delete", args=[draw.pk]), follow=True)
    assert not LabDraw.objects.exists()
    form = undo_form(page.content.decode())
    action = form.split('action="')[1].split('"')[0]
    assert ">Undo</button>" in form and 'name="csrfmiddlewaretoken"' in form
    owner_client.post(action)
    assert LabDraw.objects.get().results.get().value == 64


def test_an_infusion_undo_works_the_same_way(owner_client, patient):
    infusion = Infusion.objects.create(
        patient=patient, given_on=datetime.date(2026, 10, 1), product="fcm", dose_mg=1000
    )
    page = owner_client.post(reverse("infusion_delete", args=[infusion.pk]), follow=True)
    action = undo_form(page.content.decode()).split('action="')[1].split('"')[0]
    owner_client.post(action)
    assert Infusion.objects.filter(pk=infusion.pk).exists()


def test_undo_of_another_accounts_deletion_is_a_404(owner_client, outsider_client, draw):
    page = owner_client.post(reverse("draw_delete", args=[draw.pk]), follow=True)
    action = undo_form(page.content.decode()).split('action="')[1].split('"')[0]
    assert outsider_client.post(action).status_code == 404
    assert not LabDraw.objects.exists()
