"""Two edits of one record: the second, opened before the first was saved, must not overwrite it."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from rlsapp.tracking.forms import EditConflict, InfusionForm, conflict_message
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, SymptomScore

from .helpers import draw_post


def open_form(client, url):
    form = client.get(url).context["form"]
    return {name: form[name].value() or "" for name in form.fields}


@pytest.fixture
def records(patient, today):
    draw = LabDraw.objects.create(patient=patient, drawn_on=today, lab_name="City Lab")
    LabResult.objects.create(
        draw=draw, analyte="ferritin", value=80, entered_value="80", entered_unit="µg/L"
    )
    return {
        "draw": (draw, {"ferritin": "81"}, {"ferritin": "82"}),
        "infusion": (
            Infusion.objects.create(patient=patient, given_on=today),
            {"dose_mg": "500"},
            {"dose_mg": "750"},
        ),
        "symptom": (
            SymptomScore.objects.create(patient=patient, recorded_on=today, severity=4),
            {"severity": "5"},
            {"severity": "6"},
        ),
        "patient": (patient, {"ferritin_threshold": "80"}, {"ferritin_threshold": "90"}),
    }


@pytest.mark.parametrize("kind", ["draw", "infusion", "symptom", "patient"])
def test_the_second_of_two_stale_edits_is_refused_and_says_why(owner_client, records, kind):
    obj, first, second = records[kind]
    url = reverse(f"{kind}_edit", args=[obj.pk])
    tab_a, tab_b = open_form(owner_client, url), open_form(owner_client, url)

    assert owner_client.post(url, tab_a | first).status_code == 302
    response = owner_client.post(url, tab_b | second)

    assert response.status_code == 200
    # Named by its kind ('This lab result was changed elsewhere …'); the person's form
    # says 'record'.
    names = {"draw": "lab result", "symptom": "symptom score", "patient": "record"}
    assert response.content.decode().count(conflict_message(names.get(kind, kind))) == 1
    obj.refresh_from_db()
    assert obj.version == 2
    saved = owner_client.get(url).context["form"]
    name, value = next(iter(first.items()))
    assert float(saved[name].value()) == float(value)


def test_a_tampered_version_is_a_conflict_not_a_crash(owner_client, records):
    infusion = records["infusion"][0]
    url = reverse("infusion_edit", args=[infusion.pk])
    for version in ["", "x", "-1", "99999999999999999999"]:
        response = owner_client.post(url, open_form(owner_client, url) | {"version": version})
        assert response.status_code == 200
        assert conflict_message("infusion") in response.content.decode()
    infusion.refresh_from_db()
    assert infusion.version == 1


def test_after_reloading_the_user_can_save(owner_client, records):
    infusion = records["infusion"][0]
    url = reverse("infusion_edit", args=[infusion.pk])
    stale = open_form(owner_client, url)
    owner_client.post(url, open_form(owner_client, url) | {"dose_mg": "500"})
    assert owner_client.post(url, stale | {"dose_mg": "750"}).status_code == 200

    assert (
        owner_client.post(url, open_form(owner_client, url) | {"dose_mg": "750"}).status_code == 302
    )
    infusion.refresh_from_db()
    assert (infusion.dose_mg, infusion.version) == (750, 3)


def test_save_refuses_when_the_row_changed_after_validation(patient, records):
    """The race the page check cannot see: both forms valid, one saves in between."""
    infusion = records["infusion"][0]
    data = {"given_on": str(infusion.given_on), "product": "fcm", "version": "1"}
    first = InfusionForm(data | {"dose_mg": "500"}, instance=infusion, patient=patient)
    second = InfusionForm(
        data | {"dose_mg": "750"}, instance=Infusion.objects.get(pk=infusion.pk), patient=patient
    )
    assert first.is_valid() and second.is_valid()

    first.save()
    with pytest.raises(EditConflict):
        second.save()

    infusion.refresh_from_db()
    assert (infusion.dose_mg, infusion.version) == (500, 2)


def test_new_records_need_no_version(owner_client, patient, today):
    url = reverse("draw_create", args=[patient.pk])
    assert "version" not in owner_client.get(url).context["form"].fields
    assert owner_client.post(url, draw_post(today, ferritin="40")).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_in_threads_leave_exactly_one_winner(patient):
    if connection.vendor == "sqlite":
        pytest.skip("needs a database with row locks (run with DATABASE_URL on PostgreSQL)")
    infusion = Infusion.objects.create(patient=patient, given_on="2024-01-02")
    outcomes = []
    barrier = threading.Barrier(4)

    def edit(dose):
        from django.db import connection as thread_connection

        form = InfusionForm(
            {"given_on": "2024-01-02", "product": "fcm", "dose_mg": str(dose), "version": "1"},
            instance=Infusion.objects.get(pk=infusion.pk),
            patient=patient,
        )
        assert form.is_valid()
        barrier.wait()
        try:
            form.save()
            outcomes.append(dose)
        except EditConflict:
            outcomes.append("conflict")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=edit, args=(dose,)) for dose in (100, 200, 300, 400)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [o for o in outcomes if o != "conflict"]
    infusion.refresh_from_db()
    assert len(winners) == 1 and infusion.dose_mg == winners[0] and infusion.version == 2


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("course", "oral iron course"),
        ("medicine", "medicine"),
        ("medicine_event", "medicine event"),
    ],
)
def test_a_treatments_conflict_names_its_kind_and_keeps_what_was_typed(
    owner_client, patient, kind, name
):
    """Two tabs editing one oral iron course: the message said 'This record', whichever of
    the person's records it was."""
    from tests.tracking.test_undo_every_delete import make

    record = make(kind, patient)
    url = reverse(f"{kind}_edit", args=[record.pk])
    tab_a, tab_b = open_form(owner_client, url), open_form(owner_client, url)
    note = "notes" if "notes" in tab_a else "note"
    assert owner_client.post(url, tab_a | {note: "first tab"}).status_code == 302
    response = owner_client.post(url, tab_b | {note: "second tab"})
    html = response.content.decode()
    assert html.count(conflict_message(name)) == 1
    assert "second tab" in html  # still in the form, as the message says
