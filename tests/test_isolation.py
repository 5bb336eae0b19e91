"""Every URL that takes an id answers 404 to anyone but the owner, for GET and POST.

The test walks the URL configuration, so a new URL with an id fails here until
its owner-object is named in OBJECT_FOR_URL below.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from rlsapp.reminders.models import Reminder
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, SymptomScore

OBJECT_FOR_URL = {
    # url name prefix -> which of the owner's objects the id names
    "patient": "patient",
    "draw_list": "patient",
    "draw_create": "patient",
    "infusion_list": "patient",
    "infusion_create": "patient",
    "symptom_list": "patient",
    "symptom_create": "patient",
    "draw": "draw",
    "infusion": "infusion",
    "symptom": "symptom",
    "reminder": "reminder",
    "restore_record": "deleted_draw",
}
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
            ids = [name for name, c in converters.items() if type(c).__name__ == "IntConverter"]
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
    return reverse(url_name, kwargs={kwargs[0]: obj.pk} | {k: OTHER_KWARGS[k] for k in kwargs[1:]})


@pytest.fixture
def owned(patient, today):
    draw = LabDraw.objects.create(patient=patient, drawn_on=today)
    LabResult.objects.create(
        draw=draw, analyte="ferritin", value=80, entered_value="80", entered_unit="µg/L"
    )
    deleted = LabDraw.objects.create(patient=patient, drawn_on=today)
    deleted_id = deleted.pk
    deleted.delete()
    return {
        "deleted_draw": LabDraw.history.get(id=deleted_id, history_type="-"),
        "patient": patient,
        "draw": draw,
        "infusion": Infusion.objects.create(patient=patient, given_on=today),
        "symptom": SymptomScore.objects.create(patient=patient, recorded_on=today, severity=4),
        # Scheduled by the ferritin result and the infusion above.
        "reminder": Reminder.objects.open().get(patient=patient),
    }


ID_URLS = sorted(url_patterns_with_ids())


def test_the_walk_finds_the_tracking_urls():
    names = {name for name, _ in ID_URLS}
    assert {"patient_detail", "draw_edit", "infusion_delete", "symptom_list"} <= names


@pytest.mark.parametrize(("url_name", "kwargs"), ID_URLS, ids=[n for n, _ in ID_URLS])
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404(outsider_client, owned, url_name, kwargs, method):
    url = url_for(url_name, kwargs, owned[object_kind(url_name)])
    response = getattr(outsider_client, method)(url)
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
        assert type(obj).objects.filter(pk=obj.pk).exists()
    assert not LabDraw.objects.filter(pk=deleted.id).exists(), "an outsider restored a draw"


def test_anonymous_visitors_are_sent_to_sign_in(client, owned):
    response = client.get(owned["patient"].get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
