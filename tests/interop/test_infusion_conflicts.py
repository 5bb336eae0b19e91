"""An imported infusion near a saved one is a conflict the person settles (issue 18 item 1)."""

import datetime
import re

import pytest

from rlsapp.interop import conflicts
from rlsapp.interop.importer import import_rows
from rlsapp.interop.models import InfusionChoice
from rlsapp.interop.parsed import ParsedImport, ParsedInfusion
from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion

from .helpers import post_file, preview, preview_url

pytestmark = pytest.mark.django_db


def saved(patient):
    return sorted(
        (str(i.given_on), i.product, i.dose_mg) for i in Infusion.objects.filter(patient=patient)
    )


def radios(page):
    return sorted(set(re.findall(r'name="(conflict-\d+)"', page)))


@pytest.fixture
def csv_imported(owner_client, patient):
    """The spreadsheet first: iron dextran on 2023-09-05, FCM 750 mg on 2023-12-01."""
    owner_client.post(
        preview_url(post_file(owner_client, patient, "infusion_conflict_csv.csv")),
        {"action": "confirm"},
    )
    assert saved(patient) == [("2023-09-05", "lmw_dextran", 1000), ("2023-12-01", "fcm", 750)]
    return patient


def test_the_preview_shows_each_conflict_beside_the_saved_infusion(owner_client, csv_imported):
    _, page = preview(owner_client, csv_imported, "infusion_conflict_bundle.json")
    assert "Infusions that clash with saved ones" in page
    section = page[page.index('id="infusion-conflicts"') :]
    rows = re.findall(r'<tr class="conflict".*?</tr>', section, re.S)
    assert len(rows) == 2  # the same day, and a day later; 2024-03-10 is simply new
    same_day = rows[0]
    assert "2023-09-05" in same_day and "iron dextran" in same_day.lower()
    assert "1000 mg" in same_day
    assert "Ferric carboxymaltose" in same_day and "750 mg" in same_day
    assert "2023-12-02" in rows[1] and "2023-12-01" in rows[1]
    assert radios(page) == ["conflict-0", "conflict-1"]
    assert re.search(r'value="confirm"[^>]*disabled', page)
    assert "2 still to choose" in page
    assert "Infusions in conflict with saved ones, to choose below: 2." in page


def test_nothing_is_imported_while_a_conflict_is_open(owner_client, csv_imported):
    url = preview_url(post_file(owner_client, csv_imported, "infusion_conflict_bundle.json"))
    response = owner_client.post(url, {"action": "confirm"})
    assert response.status_code == 302
    assert len(saved(csv_imported)) == 2  # not even the 2024-03-10 one that is no conflict
    assert not InfusionChoice.objects.exists()
    page = owner_client.get(url).content.decode()
    assert "Choose what to keep for each infusion in conflict" in page


def test_keep_incoming_replaces_keep_existing_skips_and_a_reimport_does_not_ask_again(
    owner_client, csv_imported
):
    url = preview_url(post_file(owner_client, csv_imported, "infusion_conflict_bundle.json"))
    # A choice for only one of two is kept, and the other still asked for.
    owner_client.post(url, {"action": "conflicts", "conflict-0": "incoming"})
    page = owner_client.get(url).content.decode()
    assert "1 still to choose" in page
    owner_client.post(url, {"action": "conflicts", "conflict-1": "existing"})
    page = owner_client.get(url).content.decode()
    assert not re.search(r'value="confirm"[^>]*disabled', page)
    assert "replaces saved" in page and "kept saved" in page
    assert len(saved(csv_imported)) == 2  # still nothing saved before the confirm
    response = owner_client.post(url, {"action": "confirm"}, follow=True)
    assert "2 infusion(s)" in response.content.decode()
    assert "1 of the infusions replaced saved ones." in response.content.decode()
    assert saved(csv_imported) == [
        ("2023-09-05", "fcm", 750),  # the portal's record replaced the spreadsheet's
        ("2023-12-01", "fcm", 750),  # the saved one kept; the portal's 12-02 not added
        ("2024-03-10", "fcm", 750),
    ]
    gone = Infusion.history.filter(history_type="-").get()
    assert (gone.product, gone.history_change_reason) == (
        "lmw_dextran",
        "replaced by an imported infusion",
    )
    assert InfusionChoice.objects.filter(patient=csv_imported).count() == 2
    assert gone.history_user == csv_imported.owner

    # The same bundle again, and the spreadsheet again: nothing is asked.
    for name in ("infusion_conflict_bundle.json", "infusion_conflict_csv.csv"):
        _, again = preview(owner_client, csv_imported, name)
        assert radios(again) == [], name
        assert "still to choose" not in again
    assert "chosen before" in again
    assert len(saved(csv_imported)) == 3


def test_keep_both_adds_the_incoming_beside_the_saved_one(owner_client, csv_imported):
    url = preview_url(post_file(owner_client, csv_imported, "infusion_conflict_bundle.json"))
    owner_client.post(url, {"action": "conflicts", "conflict-0": "both", "conflict-1": "both"})
    owner_client.post(url, {"action": "confirm"})
    assert len(saved(csv_imported)) == 5
    _, again = preview(owner_client, csv_imported, "infusion_conflict_bundle.json")
    assert radios(again) == []


def test_keeping_only_saved_ones_can_still_be_confirmed_to_remember_it(owner_client, patient):
    Infusion.objects.create(patient=patient, given_on="2023-09-05", product="lmw_dextran")
    Infusion.objects.create(patient=patient, given_on="2023-12-01", product="fcm", dose_mg=750)
    Infusion.objects.create(patient=patient, given_on="2024-03-10", product="fcm", dose_mg=750)
    url = preview_url(post_file(owner_client, patient, "infusion_conflict_bundle.json"))
    owner_client.post(
        url, {"action": "conflicts", "conflict-0": "existing", "conflict-1": "existing"}
    )
    page = owner_client.get(url).content.decode()
    assert "Keep the saved infusions and remember this" in page
    owner_client.post(url, {"action": "confirm"})
    assert InfusionChoice.objects.filter(patient=patient).count() == 2
    assert len(saved(patient)) == 3


def infusion(day, product="fcm", dose=750):
    return ParsedInfusion([2], datetime.date.fromisoformat(day), product, "", dose)


@pytest.mark.parametrize(
    "day, conflict",
    [("2023-09-05", False), ("2023-09-06", True), ("2023-09-07", True), ("2023-09-08", False)],
)
def test_a_conflict_is_within_two_days_and_not_the_same_infusion(patient, day, conflict):
    Infusion.objects.create(patient=patient, given_on="2023-09-05", product="fcm", dose_mg=750)
    plan = conflicts.plan_infusions(patient, [infusion(day)], {})
    assert (plan.conflicts[0] is not None) == conflict
    assert plan.new == [day == "2023-09-08"]


def test_a_conflict_opened_after_the_preview_imports_nothing_for_that_infusion(patient):
    Infusion.objects.create(patient=patient, given_on="2023-09-05", product="lmw_dextran")
    parsed = ParsedImport("csv", infusions=[infusion("2023-09-05"), infusion("2024-01-01")])
    outcome = import_rows(patient, parsed)
    assert outcome.created["infusions"] == 1
    assert saved(patient) == [("2023-09-05", "lmw_dextran", 1000), ("2024-01-01", "fcm", 750)]
    assert not InfusionChoice.objects.exists()


def test_a_replaced_infusion_can_be_restored_from_the_change_history(owner_client, csv_imported):
    url = preview_url(post_file(owner_client, csv_imported, "infusion_conflict_bundle.json"))
    owner_client.post(url, {"action": "conflicts", "conflict-0": "incoming", "conflict-1": "both"})
    owner_client.post(url, {"action": "confirm"})
    gone = Infusion.history.get(history_type="-")
    services.restore(gone)
    assert ("2023-09-05", "lmw_dextran", 1000) in saved(csv_imported)
