"""The preview of an infusion conflict in Chromium (issue 18 item 1).

A spreadsheet saved iron dextran on 2023-09-05 and FCM on 2023-12-01; the portal's
FHIR bundle says FCM on 2023-09-05 and on 2023-12-02. The preview shows each pair side
by side, nothing can be imported until each is settled, the person keeps the
portal's record for the first and the saved one for the second, and a second upload
of the bundle asks nothing.
"""

from pathlib import Path

import pytest

from rlsapp.interop.models import InfusionChoice
from rlsapp.tracking.models import Infusion

from .test_charts_in_browser import sign_in_with_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUNDLE = Path(__file__).resolve().parent.parent / "data" / "infusion_conflict_bundle.json"


def upload_bundle(page, live_server, patient):
    page.goto(f"{live_server.url}/patients/{patient.pk}/import/")
    page.locator("#id_file").set_input_files(str(BUNDLE))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_selector("h1:has-text('Preview')")


def saved(patient):
    return sorted(
        (str(i.given_on), i.product, i.dose_mg) for i in Infusion.objects.filter(patient=patient)
    )


def test_a_conflict_is_shown_side_by_side_settled_and_not_asked_again(
    page, context, live_server, owner, patient, console_errors, screenshot
):
    Infusion.objects.create(
        patient=patient, given_on="2023-09-05", product="lmw_dextran", dose_mg=1000
    )
    Infusion.objects.create(patient=patient, given_on="2023-12-01", product="fcm", dose_mg=750)
    sign_in_with_cookie(context, live_server, owner)
    upload_bundle(page, live_server, patient)

    rows = page.locator("#infusion-conflicts tr.conflict")
    assert rows.count() == 2
    first = rows.nth(0)
    saved_cell, incoming_cell = first.locator("td.existing"), first.locator("td.incoming")
    assert "2023-09-05" in saved_cell.inner_text()
    assert "dextran" in saved_cell.inner_text().lower()
    assert "Ferric carboxymaltose" in incoming_cell.inner_text()
    # Side by side: the saved one on the left, the file's on its right, on one line.
    left, right = saved_cell.bounding_box(), incoming_cell.bounding_box()
    assert left["x"] + left["width"] <= right["x"] + 1
    assert abs(left["y"] - right["y"]) < 2
    import_button = page.locator("button[value=confirm]")
    assert import_button.is_disabled()
    screenshot(page, "import-conflict-preview", full_page=True)

    first.get_by_label("Keep the one from this file").check()
    rows.nth(1).get_by_label("Keep the saved one").check()
    page.get_by_role("button", name="Use these choices").click()
    page.wait_for_selector("text=replaces saved")
    assert saved(patient) == [("2023-09-05", "lmw_dextran", 1000), ("2023-12-01", "fcm", 750)]
    assert import_button.is_enabled()
    import_button.click()
    page.wait_for_url(f"{live_server.url}{patient.get_absolute_url()}")
    assert saved(patient) == [
        ("2023-09-05", "fcm", 750),
        ("2023-12-01", "fcm", 750),
        ("2024-03-10", "fcm", 750),
    ]
    assert InfusionChoice.objects.filter(patient=patient).count() == 2

    upload_bundle(page, live_server, patient)
    assert page.locator("#infusion-conflicts input[type=radio]").count() == 0
    assert page.locator("#infusion-conflicts .choice-remembered").count() == 1
    assert "chosen before" in page.locator("#infusion-conflicts").inner_text()
    assert console_errors == []
