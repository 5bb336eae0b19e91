"""Issue 13 item 3, the preview's side: small when stored, kept a few hours, then purged."""

import datetime
import json
import re
import uuid
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from rlsapp.interop.models import PendingImport
from rlsapp.interop.parsed import ERRORS_KEPT, MAX_RECORDS
from rlsapp.tracking.models import LabDraw

from .helpers import data_file, upload
from .test_import_limits import bundle_of_empty_entries

pytestmark = pytest.mark.django_db

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def post_file(client, patient, name, content):
    url = reverse("patient_import", args=[patient.pk])
    return client.post(url, {"file": upload(name, content)})


def upload_preview(client, patient):
    response = post_file(client, patient, "eu.csv", data_file("eu_lab_export.csv"))
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def test_a_bundle_of_empty_entries_is_stored_small_with_its_errors_counted(owner_client, patient):
    response = post_file(owner_client, patient, "b.json", bundle_of_empty_entries(MAX_RECORDS))
    assert response.status_code == 302
    pending = PendingImport.objects.get()
    assert len(pending.payload["errors"]) == ERRORS_KEPT
    assert len(json.dumps(pending.payload)) + len(pending.raw) < 50_000
    page = owner_client.get(response["Location"]).content.decode()
    assert f"{MAX_RECORDS} errors (the first {ERRORS_KEPT} listed below)" in page
    assert f"…and {MAX_RECORDS - ERRORS_KEPT} more, not listed" in page
    assert page.count("entry without a resource.") == ERRORS_KEPT


def test_a_bundle_over_the_bound_is_refused_and_nothing_is_kept(owner_client, patient):
    response = post_file(owner_client, patient, "b.json", bundle_of_empty_entries(1_000_000))
    assert response.status_code == 200
    assert f"more than {MAX_RECORDS:,} entries" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_the_preview_works_until_it_expires(owner_client, patient, settings):
    settings.IMPORT_PREVIEW_HOURS = 3
    url = upload_preview(owner_client, patient)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2, minutes=59)):
        assert "kept for 3 hours" in owner_client.get(url).content.decode()
        response = owner_client.post(url, {"action": "confirm"})
    assert response.status_code == 302
    assert LabDraw.objects.exists()


@pytest.mark.parametrize("action", ["view", "confirm", "discard", "date_order"])
def test_an_expired_preview_says_so_and_asks_for_the_file_again(
    owner_client, patient, settings, action
):
    settings.IMPORT_PREVIEW_HOURS = 0.5
    url = upload_preview(owner_client, patient)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        if action == "view":
            response = owner_client.get(url, follow=True)
        else:
            response = owner_client.post(url, {"action": action, "date_order": "dmy"}, follow=True)
    assert response.redirect_chain == [(reverse("patient_import", args=[patient.pk]), 302)]
    page = response.content.decode()
    assert "This import preview expired: previews are kept for 0.5 hours" in page
    assert "Upload the file again" in page
    assert not LabDraw.objects.exists()
    assert not PendingImport.objects.exists()


def test_a_purged_preview_is_a_404_that_says_what_to_do(owner_client, patient):
    url = upload_preview(owner_client, patient)
    PendingImport.objects.all().delete()  # as the purge does
    response = owner_client.post(url, {"action": "confirm"})
    assert response.status_code == 404
    page = response.content.decode()
    assert "or it expired: a preview is kept for 3 hours" in page
    assert "upload it again" in page
    assert not LabDraw.objects.exists()


def test_another_accounts_preview_answers_as_a_missing_one(owner_client, outsider_client, patient):
    url = upload_preview(owner_client, patient)
    missing = reverse("interop_preview", args=[uuid.uuid4()])
    for method in ("get", "post"):
        theirs = getattr(outsider_client, method)(url, {"action": "confirm"})
        nobodys = getattr(outsider_client, method)(missing, {"action": "confirm"})
        assert theirs.status_code == nobodys.status_code == 404
        assert _without_csrf(theirs.content) == _without_csrf(nobodys.content)
    assert PendingImport.objects.count() == 1


def _without_csrf(body):
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", body)


def test_purge_deletes_expired_previews_only(owner_client, patient, settings):
    settings.IMPORT_PREVIEW_HOURS = 3
    upload_preview(owner_client, patient)
    upload_preview(owner_client, patient)
    old, new = PendingImport.objects.order_by("pk")
    PendingImport.objects.filter(pk=old.pk).update(
        created=timezone.now() - datetime.timedelta(hours=3, minutes=1)
    )
    PendingImport.objects.filter(pk=new.pk).update(
        created=timezone.now() - datetime.timedelta(hours=2, minutes=59)
    )
    out = StringIO()
    call_command("purge_import_previews", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 expired import preview(s)."
    assert list(PendingImport.objects.values_list("pk", flat=True)) == [new.pk]


def test_compose_runs_the_purge_on_a_schedule_outside_the_reminders_service():
    text = COMPOSE.read_text()
    service = text.split("\n  import-previews:\n", 1)[1].split("\n\n", 1)[0]
    assert "python manage.py purge_import_previews;" in service
    assert "while true" in service and "sleep 600" in service
    assert "IMPORT_PREVIEW_HOURS: ${IMPORT_PREVIEW_HOURS:-3}" in text
    reminders = text.split("\n  reminders:\n", 1)[1].split("\n\n", 1)[0]
    assert "purge_import_previews" not in reminders


def test_a_csv_with_iso_dates_is_not_stored_twice(owner_client, patient):
    rows = "".join(f"2024-{1 + i % 12:02d}-{1 + i % 28:02d},{40 + i}\n" for i in range(300))
    response = post_file(owner_client, patient, "iso.csv", f"Date,Ferritin (ug/L)\n{rows}".encode())
    pending = PendingImport.objects.get()
    assert pending.payload["date_order"] == "iso"
    assert pending.raw == ""
    # a date-order request for it changes nothing and is no error
    assert owner_client.post(response["Location"], {"action": "date_order", "date_order": "dmy"})
    pending.refresh_from_db()
    assert pending.payload["date_order"] == "iso"


def test_a_csv_whose_dates_may_be_read_again_keeps_its_text(owner_client, patient):
    response = post_file(owner_client, patient, "us.csv", b"Date,Ferritin (ug/L)\n03/04/2024,40\n")
    pending = PendingImport.objects.get()
    assert pending.payload["needs_date_order"]
    owner_client.post(response["Location"], {"action": "date_order", "date_order": "mdy"})
    pending.refresh_from_db()
    assert pending.payload["draws"][0]["drawn_on"] == "2024-03-04"
