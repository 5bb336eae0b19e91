"""Accessibility as a test (issue 16 item 8): axe-core over the main pages at 390 and
1280 px, with no serious or critical violation allowed.

axe-core is pinned in package.json and installed by `npm ci` like the other front-end
packages; it is loaded from node_modules through the same CDN route as they are
(conftest.serve_cdn_from_node_modules), so the page's Content-Security-Policy is the
real one: nothing is bypassed to run the checks.
"""

import datetime
import json
from pathlib import Path

import pytest

from rlsapp.tracking.models import Infusion, Patient, SymptomScore
from tests.browser.conftest import NODE_MODULES
from tests.browser.helpers import OVERFLOW
from tests.browser.test_charts_in_browser import sign_in_with_cookie, wait_for_charts
from tests.charts.helpers import add_draw
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Run through the browser's debugging channel, which the page's policy does not govern: the
# policy allows only the app's own pinned files, not axe from the CDN.
AXE_SOURCE = (NODE_MODULES / "axe-core" / "axe.min.js").read_text()
PORTAL_CSV = Path(__file__).resolve().parent.parent / "data" / "us_portal_export.csv"
BLOCKING = ("serious", "critical")
# Moderate by axe's count, but a screen reader's list of landmarks then shows two alike
# ("Lab results" the section and "Lab results" its scroll box) with no way to tell them apart.
ALSO_BLOCKING = ("landmark-unique",)
TODAY = datetime.date.today()

# axe leaves an aria-label on an element without a role "to review" when the element has
# content; screen readers ignore such a label, so it counts as a violation here.
ALSO_WHEN_TO_REVIEW = ["aria-prohibited-attr"]
RUN_AXE = """async (alsoToReview) => {
  const result = await axe.run(document, { resultTypes: ["violations", "incomplete"] });
  const toReview = result.incomplete.filter((v) => alsoToReview.includes(v.id));
  return result.violations.concat(toReview).map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + ": " + n.html.slice(0, 160)),
  }));
}"""


def weeks_ago(n):
    return TODAY - datetime.timedelta(weeks=n)


def a_history(patient):
    """Enough for every part of the person page and the report to show: two infusions, a
    chart, flagged results, symptom scores."""
    patient.birth_date = datetime.date(1971, 5, 9)
    patient.save()
    Infusion.objects.create(
        patient=patient, given_on=weeks_ago(40), product="fcm", dose_mg=1000, reaction="Flushing"
    )
    Infusion.objects.create(patient=patient, given_on=weeks_ago(10), product="fcm", dose_mg=1000)
    for ago, ferritin in [(42, 25), (36, 480), (30, 390), (24, 300), (18, 210), (12, 90)]:
        add_draw(patient, weeks_ago(ago), ferritin=ferritin, tsat=18, hemoglobin=12.5)
    for ago, ferritin in [(6, 520), (2, 410)]:
        add_draw(patient, weeks_ago(ago), ferritin=ferritin, phosphate=2.2)
    for ago, score in [(30, 2), (12, 7), (4, 3)]:
        SymptomScore.objects.create(patient=patient, recorded_on=weeks_ago(ago), severity=score)


def axe_violations(page):
    page.evaluate(AXE_SOURCE)
    found = page.evaluate(RUN_AXE, ALSO_WHEN_TO_REVIEW)
    return [v for v in found if v["impact"] in BLOCKING or v["id"] in ALSO_BLOCKING]


def check(page, url, found, name, wait_charts=False):
    response = page.goto(url)
    assert response.ok, f"{name}: {url} gave {response.status}"
    if wait_charts:
        wait_for_charts(page)
    scan(page, found, name)


def scan(page, found, name):
    violations = axe_violations(page)
    if violations:
        found[name] = violations


def fits(page, found, name):
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        found[f"{name} is wider than the window"] = f"by {overflow} px"


def signed_out_pages(page, live_server, found):
    check(page, f"{live_server.url}/accounts/login/", found, "sign-in")
    check(page, f"{live_server.url}/accounts/signup/", found, "sign-up")
    check(page, f"{live_server.url}/accounts/password/reset/", found, "password reset")
    # a failed sign-in, as a person meets it
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector(".invalid-feedback, .alert-danger")
    scan(page, found, "sign-in with errors")


def signed_in_pages(page, live_server, patient, found):
    base = f"{live_server.url}/patients/{patient.pk}"
    check(page, f"{live_server.url}/worklist/", found, "worklist")
    check(page, f"{base}/", found, "person page", wait_charts=True)
    # The charts page: the estimate's details and the infusion table, with its column help
    # opened; on a phone it must fit the screen, the table scrolling inside its own box.
    check(page, f"{base}/charts/", found, "charts page", wait_charts=True)
    fits(page, found, "charts page")
    page.locator("details.term-help summary").click()
    scan(page, found, "charts page, columns explained")
    # A person with nothing entered yet: the empty states and their links.
    empty = Patient.objects.create(owner=patient.owner, name="Bea")
    check(page, f"{live_server.url}/patients/{empty.pk}/", found, "empty person page")
    check(page, f"{live_server.url}/patients/{empty.pk}/report/", found, "empty report")
    check(page, f"{live_server.url}/patients/{empty.pk}/charts/", found, "empty charts page")
    fits(page, found, "empty charts page")
    check(page, f"{base}/draws/new/", found, "lab form")
    # sent empty: the errors as a person meets them
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("#error-summary")
    scan(page, found, "lab form with errors")
    check(page, f"{base}/report/", found, "report", wait_charts=True)
    for url, name in [
        (f"{base}/infusions/new/", "infusion form"),
        (f"{base}/symptoms/new/", "symptom form"),
        (f"{base}/draws/", "lab results"),
        (f"{base}/infusions/", "infusions"),
        (f"{base}/symptoms/", "symptom scores"),
        (f"{base}/oral-iron/new/", "oral iron form"),
        (f"{base}/medicines/new/", "medicine form"),
        (f"{base}/edit/", "person settings"),
        (f"{base}/history/", "history"),
        (f"{live_server.url}/patients/new/", "add a person"),
        (f"{live_server.url}/worklist/order/", "worklist order"),
        (f"{live_server.url}/accounts/password/change/", "password change"),
        (f"{live_server.url}/accounts/settings/", "account settings"),
        (f"{live_server.url}/accounts/two-factor/", "two-factor password"),  # then its QR code
    ]:
        check(page, url, found, name)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector(".qr-code")
    scan(page, found, "two-factor QR code")
    check(page, f"{live_server.url}/reminders/", found, "reminders")
    check(page, f"{base}/import/", found, "import upload")
    page.locator("#id_file").set_input_files(str(PORTAL_CSV))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_selector("h1:has-text('Preview')")
    scan(page, found, "import preview")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_main_pages_have_no_serious_or_critical_axe_violations(
    page, context, live_server, owner, patient, settings, width
):
    settings.SIGNUP_OPEN = True  # the sign-up page is checked as people see it
    a_history(patient)
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
    found = {}

    signed_out_pages(page, live_server, found)
    sign_in_with_cookie(context, live_server, owner)
    signed_in_pages(page, live_server, patient, found)

    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("where", ["", "charts/", "report/"])
def test_the_history_chart_takes_focus_and_is_summed_up_in_words(
    page, context, live_server, owner, patient, where
):
    a_history(patient)
    sign_in_with_cookie(context, live_server, owner)
    page.goto(f"{live_server.url}/patients/{patient.pk}/{where}")
    wait_for_charts(page)

    canvas = page.locator("#history-chart")
    canvas.focus()
    assert page.evaluate("document.activeElement.id") == "history-chart"
    described_by = canvas.get_attribute("aria-describedby")
    summary = page.locator(f"#{described_by}").inner_text()
    assert "8 ferritin results from" in summary and "410 µg/L" in summary


def test_without_a_decline_to_compare_the_note_replaces_the_overlay_for_keys_and_readers(
    page, context, live_server, owner, patient
):
    """One result after the only infusion: on the person page the chart data hides the empty
    overlay chart and shows its note, a status with its words; the keyboard reaches the
    history chart and the Charts and numbers link, never the hidden canvas."""
    Infusion.objects.create(patient=patient, given_on=weeks_ago(10), product="fcm", dose_mg=1000)
    add_draw(patient, weeks_ago(1), ferritin=240)
    sign_in_with_cookie(context, live_server, owner)
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    wait_for_charts(page)

    note = page.get_by_role("status").filter(has_text="Not enough results after an infusion yet.")
    assert note.is_visible()
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("[document.activeElement.id, document.activeElement.text]"))
    assert ["history-chart", None] in reached
    assert ["", "Charts and numbers"] in reached
    assert "overlay-chart" not in [element_id for element_id, _text in reached]
