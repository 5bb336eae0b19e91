import re

import pytest
from django.urls import reverse

from rlsapp.interop.models import PendingImport
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, SymptomScore

from .helpers import data_file, post_file, preview, preview_url, upload

pytestmark = pytest.mark.django_db


def confirm(client, url):
    return client.post(url, {"action": "confirm"})


def test_the_upload_page_explains_what_files_work(owner_client, patient):
    response = owner_client.get(reverse("patient_import", args=[patient.pk]))
    assert response.status_code == 200
    assert "One row per test" in response.content.decode()


def test_nothing_is_written_before_the_person_confirms(owner_client, patient):
    url = preview_url(post_file(owner_client, patient, "eu.csv", data_file("eu_lab_export.csv")))
    assert LabDraw.objects.count() == 0
    page = owner_client.get(url).content.decode()
    assert "Nothing has been saved yet" in page
    assert "Ferritin 96.5 µg/L" in page
    assert "Hemoglobin 11.8 g/dL (as entered: 118 g/L)" in page
    assert "Hematocrit 36 % (as entered: 0,36 L/L)" in page
    assert LabDraw.objects.count() == 0


def test_confirming_imports_the_european_export_in_stored_units(owner_client, patient):
    url = preview_url(post_file(owner_client, patient, "eu.csv", data_file("eu_lab_export.csv")))
    response = confirm(owner_client, url)
    assert response.status_code == 302
    assert LabDraw.objects.filter(patient=patient).count() == 4
    first = LabDraw.objects.get(drawn_on="2023-01-14")
    assert first.lab_name == "Labor Dr. Müller"
    results = first.result_map()
    assert results["hemoglobin"].value == pytest.approx(11.8)
    assert results["hematocrit"].value == pytest.approx(36)
    assert results["hematocrit"].entered_value == "0,36"
    assert results["iron"].value == pytest.approx(8.2 / 0.179)
    # Only the outcome is kept (for a second click of the button), nothing of the file.
    pending = PendingImport.objects.get()
    assert (pending.raw, list(pending.payload)) == ("", ["confirmed"])


def test_importing_the_same_file_twice_creates_no_duplicates_and_says_so(owner_client, patient):
    content = data_file("messy_spreadsheet.csv")
    confirm(owner_client, preview_url(post_file(owner_client, patient, "m.csv", content)))
    counts = (LabResult.objects.count(), Infusion.objects.count(), SymptomScore.objects.count())
    url = preview_url(post_file(owner_client, patient, "m.csv", content))
    page = owner_client.get(url).content.decode()
    assert "Already saved, will be skipped: 17" in page
    assert "Import 0 records" in page
    response = confirm(owner_client, url)
    followed = owner_client.get(response["Location"]).content.decode()
    assert "Skipped 17 already saved" in followed
    assert counts == (
        LabResult.objects.count(),
        Infusion.objects.count(),
        SymptomScore.objects.count(),
    )


def test_the_preview_lists_errors_by_row_and_column(owner_client, patient):
    url = preview_url(
        post_file(owner_client, patient, "bad.csv", data_file("malformed_bad_cells.csv"))
    )
    page = owner_client.get(url).content.decode()
    assert "<td>2</td><td>Date</td><td>&#x27;2023-13-45&#x27; is not a real date.</td>" in page
    assert "Hemoglobin must be between 2 and 25 g/dL." in page
    assert "<td>5</td><td>Dose (mg)</td>" in page


def test_ambiguous_dates_must_be_chosen_before_importing(owner_client, patient):
    content = b"Date,Ferritin\n03/04/2023,50\n05/06/2023,60\n"
    url = preview_url(post_file(owner_client, patient, "a.csv", content))
    page = owner_client.get(url).content.decode()
    assert "Which way are the dates written?" in page
    confirm(owner_client, url)
    assert LabDraw.objects.count() == 0
    owner_client.post(url, {"action": "date_order", "date_order": "mdy"})
    confirm(owner_client, url)
    assert sorted(str(d) for d in LabDraw.objects.values_list("drawn_on", flat=True)) == [
        "2023-03-04",
        "2023-05-06",
    ]


def test_the_person_may_state_the_date_order_on_upload(owner_client, patient):
    content = b"Date,Ferritin\n03/04/2023,50\n"
    url = preview_url(post_file(owner_client, patient, "a.csv", content, date_order="dmy"))
    confirm(owner_client, url)
    assert str(LabDraw.objects.get().drawn_on) == "2023-04-03"


def test_discarding_writes_nothing(owner_client, patient):
    url = preview_url(post_file(owner_client, patient, "eu.csv", data_file("eu_lab_export.csv")))
    owner_client.post(url, {"action": "discard"})
    assert not PendingImport.objects.exists()
    assert not LabDraw.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed_empty.csv", "The submitted file is empty."),
        ("malformed_excel.xlsx.csv", "Excel workbook"),
        ("malformed_no_date.csv", "No date column found"),
        ("malformed_no_analyte.csv", "No known analyte column"),
        ("malformed_unclosed_quote.csv", "The CSV is malformed near line 2"),
    ],
)
def test_it_refuses_unusable_files_with_a_clear_message(owner_client, patient, name, message):
    response = post_file(owner_client, patient, name, data_file(name))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PendingImport.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "held"),
    [
        (
            "untracked_tests_only.csv",
            None,
            "Read but not imported: 1 test rlsapp does not track (C-REACTIVE PROTEIN); "
            "1 test rlsapp does not track (TRANSFERRIN).",
        ),
        (
            "report.json",
            b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": '
            b'{"resourceType": "DiagnosticReport", "status": "final", "contained": []}}]}',
            "Read but not imported: 1 DiagnosticReport resource.",
        ),
    ],
)
def test_a_file_with_nothing_to_import_says_what_it_held_and_what_is_read(
    owner_client, patient, name, content, held
):
    # 'The file holds no lab results, infusions or scores.' was all a portal's file of CRP
    # and transferrin, or a bundle of DiagnosticReports, was told: nothing of what was read.
    response = post_file(owner_client, patient, name, content)
    page = response.content.decode()
    assert "The file holds no lab results, infusions or scores. " + held in page
    assert "rlsapp reads Ferritin, Hemoglobin, Hematocrit" in page
    assert not PendingImport.objects.exists()


def test_it_refuses_a_workbook_by_its_name(owner_client, patient):
    response = post_file(owner_client, patient, "results.xlsx", b"Date,Ferritin\n")
    assert "This is an Excel workbook, not CSV" in response.content.decode()


def test_it_refuses_files_over_the_size_limit(owner_client, patient, settings):
    settings.IMPORT_MAX_BYTES = 100
    content = b"Date,Ferritin\n" + b"2023-01-01,50\n" * 20
    response = post_file(owner_client, patient, "big.csv", content)
    assert "the limit is 100" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_text_from_the_file_is_never_rendered_unescaped(owner_client, patient):
    content = (
        b"Date,Lab,Ferritin,<script>alert(1)</script>\n"
        b"2023-01-01,<b>Evil lab</b>,50,x\n"
        b"2023-01-02,,<img src=x onerror=alert(1)>,x\n"
    )
    url = preview_url(post_file(owner_client, patient, "x.csv", content))
    page = owner_client.get(url).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<b>Evil lab</b>" not in page
    assert "<img src=x" not in page
    assert "&lt;b&gt;Evil lab&lt;/b&gt;" in page


def test_a_fhir_bundle_is_previewed_with_skipped_resources_counted(owner_client, patient):
    response = owner_client.post(
        reverse("patient_import", args=[patient.pk]),
        {"file": upload("portal.json", data_file("portal_bundle.json"), "application/json")},
    )
    page = owner_client.get(preview_url(response)).content.decode()
    assert "Read as a FHIR Bundle" in page
    assert "Not imported: 1 Condition resource" in page
    assert "Not imported: 1 MedicationStatement resource that is not IV iron" in page
    confirm(owner_client, response["Location"])
    assert LabResult.objects.count() == 4
    assert Infusion.objects.count() == 2


def test_the_preview_page_runs_a_constant_number_of_queries(
    owner_client, patient, django_assert_max_num_queries
):
    small = b"Date,Ferritin\n2023-01-01,50\n"
    big = b"Date,Ferritin\n" + b"".join(
        f"2020-{m:02d}-{d:02d},{50 + d}\n".encode() for m in range(1, 13) for d in range(1, 28)
    )
    for content in (small, big):
        url = preview_url(post_file(owner_client, patient, "f.csv", content))
        with django_assert_max_num_queries(5):
            assert owner_client.get(url).status_code == 200


def test_the_upload_runs_a_constant_number_of_queries(
    owner_client, patient, django_assert_max_num_queries
):
    big = b"Date,Ferritin,Product,Dose (mg),Severity\n" + b"".join(
        f"2020-{m:02d}-{d:02d},{50 + d},FCM,1000,4\n".encode()
        for m in range(1, 13)
        for d in range(1, 28)
    )
    with django_assert_max_num_queries(12):
        preview_url(post_file(owner_client, patient, "f.csv", big))


def test_the_outsider_gets_404_on_the_upload_and_preview(owner_client, patient, make_user, client):
    url = preview_url(post_file(owner_client, patient, "eu.csv", data_file("eu_lab_export.csv")))
    outsider = make_user("mallory@example.com")
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "confirm"}).status_code == 404
    upload_url = reverse("patient_import", args=[patient.pk])
    assert client.get(upload_url).status_code == 404
    response = client.post(upload_url, {"file": upload("eu.csv", data_file("eu_lab_export.csv"))})
    assert response.status_code == 404
    assert not LabDraw.objects.exists()
    assert PendingImport.objects.count() == 1


def test_an_upload_cannot_be_confirmed_after_its_patient_changed_owner(
    owner_client, patient, outsider
):
    url = preview_url(post_file(owner_client, patient, "eu.csv", data_file("eu_lab_export.csv")))
    patient.owner = outsider
    patient.save()  # moves the owner membership with it
    assert confirm(owner_client, url).status_code == 404
    assert not LabDraw.objects.exists()


def test_a_parser_bug_is_a_clear_message_not_a_500(owner_client, patient, monkeypatch):
    from rlsapp.interop.views import imports

    def broken(*args, **kwargs):
        raise KeyError("a cell value that must not be logged")

    monkeypatch.setattr(imports, "parse_csv", broken)
    response = post_file(owner_client, patient, "eu.csv", data_file("eu_lab_export.csv"))
    assert response.status_code == 200
    assert "rlsapp could not read this file" in response.content.decode()


def test_a_day_already_holding_another_value_of_a_test_is_listed_to_check(owner_client, patient):
    # A saved ferritin of 45 on 3 April and the file's 54 for the same day and lab: the
    # preview called the file's row 'new' without a word, and the person then had two
    # ferritin results for one day, one of them likely a typo.
    typed = {"drawn_on": "2024-04-03", "lab_name": "City Lab", "note": "", "ferritin": "45"}
    assert owner_client.post(reverse("draw_create", args=[patient.pk]), typed).status_code == 302
    _, page = preview(owner_client, patient, "same_day_other_value.csv")
    message = (
        "Already saved for this day with another value: Ferritin 45 µg/L. Check which one "
        "the report shows; importing keeps both."
    )
    assert page.count(message) == 2  # in 'Values to check' and in the row
    assert "<td>2</td><td>Ferritin</td>" in page


def test_a_us_accounts_ambiguous_dates_are_read_and_preselected_month_first(
    owner_client, owner, patient
):
    # A US account's own 4/3/2024 was read as 4 March, shown as 3/4/2024, with 'Day first'
    # ticked: one click on 'Read the dates this way' from every date swapped.
    owner.region = "US"
    owner.save()
    _, page = preview(owner_client, patient, "us.csv", b"Date,Ferritin (ng/mL)\n4/3/2024,45\n")
    assert re.search(r'value="mdy"[^>]*checked', page)
    assert "4/3/2024" in page and "3/4/2024" not in page
