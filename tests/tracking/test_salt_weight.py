"""A dose typed for elemental iron that is the weight of a tablet of the product's salt
(shared/domain.md: ferrous sulfate 325 mg holds 65 mg elemental) is asked about, never
saved or changed without an answer (medicines.salt_weight)."""

import re

import pytest
from django.urls import reverse

from rlsapp.domain import medicines
from rlsapp.tracking import services
from rlsapp.tracking.treatments import OralIronCourse

from .test_treatments import DAY, course_post, errors_of


def test_the_rule_asks_only_about_a_salt_weight_domain_md_gives():
    question = medicines.salt_weight("ferrous_sulfate", 325)
    assert question.words == (
        "325 mg is the weight of a ferrous sulfate tablet; it holds 65 mg of iron."
    )
    assert (question.save_words, question.keep_words) == (
        "Save 65 mg",
        "Keep 325 mg as elemental iron",
    )
    assert question.elemental == 65
    others = [("ferrous_sulfate", 65), ("ferrous_sulfate", 324.5), ("ferrous_gluconate", 325)]
    for code, mg in [*others, ("other", 325), ("ferrous_sulfate", None)]:
        assert medicines.salt_weight(code, mg) is None


def test_the_form_asks_and_saves_nothing_until_answered(owner_client, patient, today):
    url = reverse("course_create", args=[patient.pk])
    response = owner_client.post(url, course_post(today, elemental_mg="325"))
    assert response.status_code == 200
    assert (
        "325 mg is the weight of a ferrous sulfate tablet; it holds 65 mg of iron."
        in (errors_of(response)["elemental_mg"][0])
    )
    page = re.sub(r"\s+", " ", response.content.decode())
    assert "Save 65 mg" in page and "Keep 325 mg as elemental iron" in page
    assert not OralIronCourse.objects.exists()


@pytest.mark.parametrize("answer, stored", [("iron:325", 65), ("keep:325", 325)])
def test_the_answer_decides_what_is_saved(owner_client, patient, today, answer, stored):
    url = reverse("course_create", args=[patient.pk])
    data = course_post(today, elemental_mg="325") | {"elemental_check": answer}
    assert owner_client.post(url, data).status_code == 302
    assert OralIronCourse.objects.get(patient=patient).elemental_mg == stored


def test_an_answer_about_another_number_is_no_answer(owner_client, patient, today):
    url = reverse("course_create", args=[patient.pk])
    data = course_post(today, elemental_mg="325") | {"elemental_check": "keep:300"}
    assert owner_client.post(url, data).status_code == 200
    assert not OralIronCourse.objects.exists()


def test_an_edit_leaving_a_kept_dose_as_it_was_is_not_asked_again(owner_client, patient, today):
    course = services.save_treatment(
        OralIronCourse(patient=patient, started_on=today - 10 * DAY, elemental_mg=325)
    )
    url = reverse("course_edit", args=[course.pk])
    data = course_post(today - 10 * DAY, elemental_mg="325", notes="with orange juice")
    data["version"] = str(course.version)
    assert owner_client.post(url, data).status_code == 302
    course.refresh_from_db()
    assert (course.elemental_mg, course.notes) == (325, "with orange juice")


def test_the_import_preview_lists_a_salt_weight_to_check(owner_client, patient):
    from tests.interop.test_round_trip import upload

    text = (
        "record,date,product,dose (mg),schedule,vitamin C,end date\r\n"
        "oral iron,2025-01-06,Ferrous sulfate,325,Daily,yes,2025-03-01\r\n"
        "oral iron,2025-04-07,Ferrous sulfate,65,Daily,yes,\r\n"
    )
    response = owner_client.post(
        reverse("patient_import", args=[patient.pk]), {"file": upload("iron.csv", text.encode())}
    )
    assert response.status_code == 302
    preview = re.sub(r"\s+", " ", owner_client.get(response["Location"]).content.decode())
    check = preview[preview.index("Values to check against the file") :]
    words = "325 mg is the weight of a ferrous sulfate tablet; it holds 65 mg of iron."
    assert words in check[: check.index("Summary")]
    assert preview.count(words) == 2  # the list and the course's own row; the 65 not at all
