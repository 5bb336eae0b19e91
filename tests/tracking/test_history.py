from django.urls import reverse
from django.utils import timezone

from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient, SymptomScore

from .helpers import draw_post


def add_draw(client, patient, today, **values):
    response = client.post(reverse("draw_create", args=[patient.pk]), draw_post(today, **values))
    assert response.status_code == 302
    return LabDraw.objects.filter(patient=patient).latest("pk")


def edit_data(client, url):
    """The edit form's own initial data, as the browser would send it back."""
    form = client.get(url).context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def history_page(client, patient):
    response = client.get(reverse("patient_history", args=[patient.pk]))
    assert response.status_code == 200
    return response


def test_history_shows_who_added_and_changed_a_draw(owner_client, owner, patient, today):
    draw = add_draw(owner_client, patient, today, ferritin="45", hemoglobin="13.1")
    data = edit_data(owner_client, reverse("draw_edit", args=[draw.pk]))
    owner_client.post(reverse("draw_edit", args=[draw.pk]), data | {"ferritin": "52"})

    changes = history_page(owner_client, patient).context["changes"]
    changes = [c for c in changes if c.what != "Profile and settings"]

    assert [c.action for c in changes] == ["changed", "added"]
    assert {c.who for c in changes} == {owner.email}
    assert changes[0].lines == ["Ferritin: 45 µg/L → Ferritin: 52 µg/L"]
    assert set(changes[1].lines) == {"added Ferritin: 45 µg/L", "added Hemoglobin: 13.1 g/dL"}
    assert changes[1].what == f"Lab result of {today:%Y-%m-%d}"


def test_history_shows_changed_settings_with_old_and_new_values(owner_client, patient):
    url = reverse("patient_edit", args=[patient.pk])
    data = edit_data(owner_client, url)
    owner_client.post(url, data | {"ferritin_threshold": "75"})
    owner_client.post(url, edit_data(owner_client, url) | {"name": "Alice B."})

    lines = [
        line for c in history_page(owner_client, patient).context["changes"] for line in c.lines
    ]

    assert "Name: Alice → Alice B." in lines
    assert "Ferritin threshold (µg/l): 100.0 → 75.0" in lines


def test_a_deleted_draw_comes_back_with_its_results(owner_client, patient, today):
    draw = add_draw(owner_client, patient, today, ferritin="45", iron="60", tibc="300")
    draw_id = draw.pk
    before = sorted(draw.results.values_list("analyte", "value", "entered_value"))
    owner_client.post(reverse("draw_delete", args=[draw_id]))
    assert not LabDraw.objects.filter(pk=draw_id).exists()

    deleted = history_page(owner_client, patient).context["changes"][0]
    assert (deleted.action, deleted.restore_kind) == ("deleted", "draw")
    assert "Ferritin: 45 µg/L" in deleted.lines
    response = owner_client.post(reverse("restore_record", args=["draw", deleted.restore_id]))

    assert response.status_code == 302
    restored = LabDraw.objects.get(pk=draw_id)
    assert sorted(restored.results.values_list("analyte", "value", "entered_value")) == before
    newest = history_page(owner_client, patient).context["changes"][0]
    assert newest.action == "restored" and not newest.restore_id


def test_a_result_removed_by_an_edit_stays_removed_when_the_draw_is_restored(
    owner_client, patient, today
):
    draw = add_draw(owner_client, patient, today, ferritin="45", hemoglobin="13.1")
    url = reverse("draw_edit", args=[draw.pk])
    owner_client.post(url, edit_data(owner_client, url) | {"hemoglobin": ""})
    draw_id = draw.pk
    owner_client.post(reverse("draw_delete", args=[draw_id]))
    record = LabDraw.history.get(id=draw_id, history_type="-")

    owner_client.post(reverse("restore_record", args=["draw", record.history_id]))

    assert list(LabResult.objects.filter(draw_id=draw_id).values_list("analyte", flat=True)) == [
        "ferritin"
    ]


def test_a_draw_is_not_restored_over_the_same_results_entered_again(owner_client, patient, today):
    """Deleted, entered again, then restored from the history: the same-day rule of the lab
    form holds, so the results are not counted twice; a draw with other results comes back."""
    draw = add_draw(owner_client, patient, today, ferritin="45", iron="60", tibc="300")
    owner_client.post(reverse("draw_delete", args=[draw.pk]))
    add_draw(owner_client, patient, today, ferritin="45", iron="60", tibc="300")
    record = LabDraw.history.get(id=draw.pk, history_type="-")
    url = reverse("restore_record", args=["draw", record.history_id])

    page = owner_client.post(url, follow=True)

    assert LabDraw.objects.filter(patient=patient).count() == 1
    assert LabResult.objects.filter(draw__patient=patient, analyte="ferritin").count() == 1
    assert "Not restored: the same results are already saved" in page.content.decode()
    LabDraw.objects.filter(patient=patient).update(drawn_on=today - timezone.timedelta(days=1))
    owner_client.post(url)
    assert sorted(LabResult.objects.filter(draw=draw.pk).values_list("analyte", flat=True)) == [
        "ferritin",
        "iron",
        "tibc",
        "tsat",
    ]


def test_the_page_says_every_kind_it_restores(owner_client, patient):
    """It named only lab results, infusions and symptom scores, so a person who deleted an
    oral iron course or a medicine read that it could not come back."""
    page = history_page(owner_client, patient).content.decode()
    for kind in ("lab result", "infusion", "symptom score", "oral iron course", "medicine"):
        assert kind in page.split("can be restored")[0].rsplit("<p", 1)[1], kind


def test_restoring_twice_changes_nothing(owner_client, patient, today):
    score = SymptomScore.objects.create(patient=patient, recorded_on=today, severity=3)
    score_id = score.pk
    owner_client.post(reverse("symptom_delete", args=[score_id]))
    record = SymptomScore.history.get(id=score_id, history_type="-")
    url = reverse("restore_record", args=["symptom", record.history_id])

    owner_client.post(url)
    second = owner_client.post(url, follow=True)

    assert SymptomScore.objects.filter(pk=score_id).count() == 1
    assert "already back" in second.content.decode()


def test_an_infusion_can_be_restored(owner_client, patient, today):
    infusion = Infusion.objects.create(patient=patient, given_on=today, dose_mg=750)
    infusion_id = infusion.pk
    owner_client.post(reverse("infusion_delete", args=[infusion_id]))
    deleted = history_page(owner_client, patient).context["changes"][0]

    owner_client.post(reverse("restore_record", args=["infusion", deleted.restore_id]))

    assert Infusion.objects.get(pk=infusion_id).dose_mg == 750


def test_an_unknown_kind_is_a_404(owner_client, patient, today):
    response = owner_client.post(reverse("restore_record", args=["patient", 1]))
    assert response.status_code == 404


def test_a_restore_needs_a_post(owner_client, patient, today):
    score = SymptomScore.objects.create(patient=patient, recorded_on=today, severity=3)
    score_id = score.pk
    score.delete()
    record = SymptomScore.history.get(id=score_id, history_type="-")
    response = owner_client.get(reverse("restore_record", args=["symptom", record.history_id]))
    assert response.status_code == 405
    assert not SymptomScore.objects.filter(pk=score_id).exists()


def test_deleting_a_person_deletes_their_history(owner_client, patient, today):
    add_draw(owner_client, patient, today, ferritin="45")
    Infusion.objects.create(patient=patient, given_on=today)
    SymptomScore.objects.create(patient=patient, recorded_on=today, severity=3)
    patient_id = patient.pk

    owner_client.post(reverse("patient_delete", args=[patient_id]))
    assert Patient.history.filter(id=patient_id).exists()  # kept while an undo may come
    services.erase_deleted_people(timezone.now() + services.undo_window())

    assert not Patient.objects.filter(pk=patient_id).exists()
    assert not Patient.history.filter(id=patient_id).exists()
    for model in (LabDraw, Infusion, SymptomScore):
        assert not model.history.filter(patient_id=patient_id).exists()
    assert not LabResult.history.exists()


def test_history_page_query_count_does_not_grow(
    owner_client, patient, today, django_assert_max_num_queries
):
    for value in range(30):
        add_draw(owner_client, patient, today, ferritin=str(40 + value))
        score = SymptomScore.objects.create(patient=patient, recorded_on=today, severity=3)
        score.delete()
    # 12, and 4 for oral iron courses, medicines, their events and the medicines' names.
    with django_assert_max_num_queries(16):
        response = history_page(owner_client, patient)
    # 30 draws, 30 scores added and deleted, and the person
    assert len(response.context["changes"]) == 91


def test_anothers_history_is_a_404(outsider_client, patient):
    response = outsider_client.get(reverse("patient_history", args=[patient.pk]))
    assert response.status_code == 404
