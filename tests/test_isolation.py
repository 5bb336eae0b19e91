"""Every URL that takes an id answers 404 to anyone but the owner, for GET and POST.

The test walks the URL configuration, so a new URL with an id (a number or a
UUID) fails here until its owner-object is named in OBJECT_FOR_URL below.

A view that only answers GET may refuse a POST with 405 before looking anything
up: that answer is the same for every id, the owner's or nobody's, so it tells
an outsider nothing; the test checks exactly that.
"""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from rlsapp.interop.models import PendingImport
from rlsapp.links import services as links
from rlsapp.reminders.models import Reminder
from rlsapp.tracking import services
from rlsapp.tracking.models import LabDraw, SymptomScore
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse
from tests.reminders.helpers import add_ferritin, add_infusion

OBJECT_FOR_URL = {
    # url name prefix -> which of the owner's objects the id names
    "patient": "patient",
    "draw_list": "patient",
    "draw_create": "patient",
    "infusion_list": "patient",
    "infusion_create": "patient",
    "symptom_list": "patient",
    "symptom_create": "patient",
    "course_list": "patient",
    "course_create": "patient",
    "medicine_list": "patient",
    "medicine_create": "patient",
    "medicine_event_list": "patient",
    "medicine_event_create": "medicine",
    # before "medicine": the first prefix that matches names the object
    "medicine_event": "medicine_event",
    "medicine": "medicine",
    "course": "course",
    "draw": "draw",
    "infusion": "infusion",
    "symptom": "symptom",
    "reminder": "reminder",
    "restore_record": "deleted_draw",
    "interop_preview": "pending_import",
    "link": "link",  # link_revoke
}
# Public by design, keyed by a secret token rather than an owned id (tested in their apps).
CAPABILITY_URLS = {"calendar_feed"}
# Values for the URLs' other (non-id) parts.
OTHER_KWARGS = {"kind": "draw"}


def url_patterns_with_ids(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # staff only, with Django's own permission checks
            yield from url_patterns_with_ids(entry, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters
            if entry.name in CAPABILITY_URLS:
                continue
            ids = [
                name
                for name, c in converters.items()
                if type(c).__name__ in ("IntConverter", "UUIDConverter")
            ]
            if ids:
                yield entry.name, ids + [name for name in converters if name not in ids]


def object_kind(url_name):
    if url_name in OBJECT_FOR_URL:
        return OBJECT_FOR_URL[url_name]
    for prefix, kind in OBJECT_FOR_URL.items():
        if url_name.startswith(prefix + "_"):
            return kind
    raise AssertionError(f"Name the object behind URL {url_name!r} in OBJECT_FOR_URL")


def url_for(url_name, kwargs, obj):
    key = obj.token if isinstance(obj, PendingImport) else obj.pk
    return reverse(url_name, kwargs={kwargs[0]: key} | {k: OTHER_KWARGS[k] for k in kwargs[1:]})


def missing_url_for(url_name, kwargs):
    """The same URL for an object that does not exist."""
    key = "00000000-0000-4000-8000-000000000000" if kwargs[0] == "token" else 999999
    return reverse(url_name, kwargs={kwargs[0]: key} | {k: OTHER_KWARGS[k] for k in kwargs[1:]})


def pending_import_of(owner, patient):
    """Upload a real file as the owner, leaving it waiting in the preview."""
    client = Client()
    client.force_login(owner)
    content = (Path(__file__).parent / "data" / "eu_lab_export.csv").read_bytes()
    response = client.post(
        reverse("patient_import", args=[patient.pk]),
        {"file": SimpleUploadedFile("lab.csv", content, "text/csv"), "date_order": "auto"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return PendingImport.objects.get(patient=patient)


@pytest.fixture
def owned(owner, patient, today):
    draw = add_ferritin(patient, today, 80)
    deleted = add_ferritin(patient, today, 81)
    deleted_id = deleted.pk
    services.delete_draw(deleted)
    medicine = services.save_treatment(
        Medication(patient=patient, drug="gabapentin", dose=300, started_on=today)
    )
    return {
        "course": services.save_treatment(
            OralIronCourse(patient=patient, elemental_mg=65, started_on=today)
        ),
        "medicine": medicine,
        "medicine_event": services.save_treatment(
            MedicationEvent(medication=medicine, happened_on=today, kind="side_effect")
        ),
        "pending_import": pending_import_of(owner, patient),
        "deleted_draw": LabDraw.history.get(id=deleted_id, history_type="-"),
        "patient": patient,
        "draw": draw,
        "infusion": add_infusion(patient, today),
        "symptom": services.save_record(
            SymptomScore(patient=patient, recorded_on=today, severity=4)
        ),
        # Scheduled by the ferritin result and the infusion above.
        "reminder": Reminder.objects.open().get(patient=patient),
        "link": links.make_link(patient, owner)[0],
    }


ID_URLS = sorted(url_patterns_with_ids())


def test_the_walk_finds_the_urls_of_every_app():
    names = {name for name, _ in ID_URLS}
    assert {
        "patient_detail",
        "draw_edit",
        "draw_leave_out",
        "draw_put_back",
        "infusion_delete",
        "symptom_list",
        "patient_history",
        "restore_record",
        "patient_chart_data",
        "patient_report",
        "patient_chart_table",
        "patient_export_csv",
        "patient_export_fhir",
        "patient_import",
        "interop_preview",
        "reminder_ics",
        "reminder_snooze",
        "course_edit",
        "medicine_delete",
        "medicine_event_create",
        "medicine_event_edit",
    } <= names


@pytest.mark.parametrize(("url_name", "kwargs"), ID_URLS, ids=[n for n, _ in ID_URLS])
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404(outsider_client, owned, url_name, kwargs, method):
    url = url_for(url_name, kwargs, owned[object_kind(url_name)])
    response = getattr(outsider_client, method)(url)
    if response.status_code == 405:
        missing = getattr(outsider_client, method)(missing_url_for(url_name, kwargs))
        assert missing.status_code == 405, f"{method.upper()} {url}: 405 reveals the id exists"
        return
    assert response.status_code == 404, f"{method.upper()} {url} answered {response.status_code}"


@pytest.mark.parametrize(("url_name", "kwargs"), ID_URLS, ids=[n for n, _ in ID_URLS])
def test_owner_can_open_it(owner_client, owned, url_name, kwargs):
    response = owner_client.get(url_for(url_name, kwargs, owned[object_kind(url_name)]))
    assert response.status_code in (200, 302, 405)


def test_objects_still_exist_after_the_outsiders_posts(outsider_client, owned):
    for url_name, kwargs in ID_URLS:
        outsider_client.post(url_for(url_name, kwargs, owned[object_kind(url_name)]))
    deleted = owned.pop("deleted_draw")
    for obj in owned.values():
        assert type(obj).objects.filter(pk=obj.pk).exists(), f"an outsider deleted {obj!r}"
    assert not LabDraw.objects.filter(pk=deleted.id).exists(), "an outsider restored a draw"


def test_anonymous_visitors_are_sent_to_sign_in(client, owned):
    response = client.get(owned["patient"].get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
