"""The printed report in a real browser (issue 16 item 2): it fits one or two A4 or Letter
pages as Chromium prints it, "Save as PDF" opens the print window, and it reads at 390 px."""

import datetime
import re

import pytest

from rlsapp.tracking.models import Infusion
from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import OVERFLOW, overflow_when_printed, sign_in_with_cookie
from tests.browser.test_charts_in_browser import PIXELS, wait_for_charts
from tests.charts.helpers import add_draw, add_long_history, add_stress_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date.today()


def weeks_ago(n):
    return TODAY - datetime.timedelta(weeks=n)


def a_years_history(patient):
    """Two infusions and sixteen draws: more rows than the report prints."""
    patient.birth_date = datetime.date(1958, 7, 2)
    patient.save()
    Infusion.objects.create(
        patient=patient, given_on=weeks_ago(70), product="fcm", dose_mg=1000, reaction=""
    )
    Infusion.objects.create(
        patient=patient,
        given_on=weeks_ago(20),
        product="derisomaltose",
        dose_mg=1000,
        reaction="Flushing and back pain at 10 minutes; paused, then finished at half the rate",
    )
    # The newest still above the range after the infusion: its flag in words widens the
    # latest values on a phone.
    ferritin = [28, 610, 480, 410, 360, 300, 250, 190, 140, 90, 62, 520, 430, 380, 345, 330]
    for n, value in enumerate(ferritin):
        ago = 72 - n * 4 if n < 11 else 18 - (n - 11) * 4
        extra = {}
        if n % 3 == 0:
            extra = {"tsat": 14 + n, "hemoglobin": 12.1 + n / 10, "hematocrit": 37 + n / 5}
        if n in (1, 12):
            extra["phosphate"] = 2.2
        # The newest from a lab with a long name, as the latest values show it.
        lab = "Quest Diagnostics Regional Laboratory" if n == 15 else "City Lab (Roche)"
        add_draw(patient, weeks_ago(ago), ferritin=value, lab=lab, **extra)


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def printed_page_counts(page, name):
    """Print as a browser does: print styles at the paper's width inside 12 mm margins, the
    chart redrawn for it (Chart.js resizes on the next frame), then the PDF, kept in
    screenshots/. The number of pages on A4 and on Letter."""
    page.emulate_media(media="print")
    counts = {}
    for paper, width in (("A4", 703), ("Letter", 725)):
        page.set_viewport_size({"width": width, "height": 1000})
        page.wait_for_timeout(300)
        pdf = page.pdf(format=paper, print_background=True)
        (SCREENSHOTS / f"{name}-{paper}.pdf").write_bytes(pdf)
        counts[paper] = pdf_pages(pdf)
    return counts


def test_the_report_prints_on_one_or_two_pages_and_reads_on_a_phone(
    page, context, live_server, owner, patient, console_errors, screenshot
):
    a_years_history(patient)
    sign_in_with_cookie(context, live_server, owner)
    url = f"{live_server.url}/patients/{patient.pk}/report/"

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    wait_for_charts(page)
    assert page.evaluate(PIXELS, "history-chart") > 5000
    assert page.title().startswith(f"Ferritin and iron report: {patient.name}, ")
    rows = page.locator("#report-results tbody tr")
    assert rows.count() == 12
    # the post-infusion rise and a low phosphate, in words
    assert "after infusion" in rows.nth(4).inner_text()
    assert "low" in page.locator("#report-results tbody tr", has_text="2.2").first.inner_text()
    assert "Flushing and back pain" in page.locator("#report-infusions").inner_text()
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "report-issue16-1280", full_page=True)

    # "Save as PDF" is the browser's print window.
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")
    page.get_by_role("button", name="Save as PDF").click()
    assert page.evaluate("window.printed") == 1

    counts = printed_page_counts(page, "report-issue16")
    assert all(1 <= pages <= 2 for pages in counts.values()), counts

    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    wait_for_charts(page)
    assert page.evaluate(OVERFLOW) <= 0  # the wide tables scroll inside their own box
    screenshot(page, "report-issue16-390", full_page=True)
    screenshot(page.locator(".clinician-report > div").first, "report-issue16-390-head")
    # The results table scrolls sideways here: the keyboard reaches it and can scroll it.
    box = page.get_by_role("region", name="Results table")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")
    screenshot(page.locator(".report-results"), "report-issue16-390-results")

    assert overflow_when_printed(page) <= 0
    screenshot(page, "report-issue16-print", full_page=True)
    assert console_errors == []


def test_ten_years_of_results_still_print_on_two_pages(page, context, live_server, owner, patient):
    add_long_history(patient, 500)  # ten infusions, 500 draws, 250 symptom scores
    sign_in_with_cookie(context, live_server, owner)
    page.goto(f"{live_server.url}/patients/{patient.pk}/report/")
    wait_for_charts(page)
    counts = printed_page_counts(page, "report-issue16-long")
    assert all(1 <= pages <= 2 for pages in counts.values()), counts


def test_the_demo_persons_report_prints_on_two_pages(page, context, live_server, owner):
    # The README shows the demo: its first person's report (three infusions, oral iron,
    # three medicines) printed on three pages while the chart, kept whole, left a third of
    # the first page empty and the latest values repeated the results table.
    from rlsapp.tracking.demo import create_demo_people

    person = create_demo_people(owner, TODAY)[0]
    sign_in_with_cookie(context, live_server, owner)
    page.goto(f"{live_server.url}/patients/{person.pk}/report/")
    wait_for_charts(page)
    counts = printed_page_counts(page, "report-demo")
    assert all(1 <= pages <= 2 for pages in counts.values()), counts


def test_a_stress_history_prints_on_two_pages(page, context, live_server, owner, patient):
    # Ten years: eight infusions, three with reactions of two or three lines, a lab name
    # that wraps on every row, three medicine and oral iron rows. Each table at its own
    # cap took three pages on A4 and on Letter.
    add_stress_history(patient, TODAY)
    sign_in_with_cookie(context, live_server, owner)
    page.goto(f"{live_server.url}/patients/{patient.pk}/report/")
    wait_for_charts(page)
    counts = printed_page_counts(page, "report-stress")
    assert all(1 <= pages <= 2 for pages in counts.values()), counts


LEGEND = """(id) => {
  const chart = Chart.getChart(document.getElementById(id));
  return {
    legend: chart.legend.legendItems.map((item) => ({ text: item.text, hidden: !!item.hidden })),
    // The estimate's low edge shares its entry with the high edge.
    drawn: chart.data.datasets
      .filter((ds, i) => chart.isDatasetVisible(i) && ds.id !== "band-low")
      .map((ds) => ds.label),
    hidden: chart.data.datasets.filter((ds, i) => !chart.isDatasetVisible(i)).map((ds) => ds.label),
  };
}"""


def test_the_report_legend_names_the_lines_drawn_and_no_hidden_ones(
    page, context, live_server, owner, patient
):
    """Paper shows no line hidden until shown: the report's legend leaves them out (the
    charts page lists them struck through, to show them), and a click on it hides nothing."""
    a_years_history(patient)
    sign_in_with_cookie(context, live_server, owner)
    page.goto(f"{live_server.url}/patients/{patient.pk}/charts/")
    wait_for_charts(page)
    on_the_page = page.evaluate(LEGEND, "history-chart")
    assert on_the_page["hidden"]  # hemoglobin, hematocrit and TSAT until shown
    assert {i["text"] for i in on_the_page["legend"] if i["hidden"]} >= set(on_the_page["hidden"])

    page.goto(f"{live_server.url}/patients/{patient.pk}/report/")
    wait_for_charts(page)
    report = page.evaluate(LEGEND, "history-chart")
    texts = [item["text"] for item in report["legend"]]
    assert not any(item["hidden"] for item in report["legend"])
    assert not set(report["hidden"]) & set(texts)
    assert set(report["drawn"]) <= set(texts)
    box = page.locator("#history-chart").bounding_box()
    legend = page.evaluate(
        """() => { const c = Chart.getChart(document.getElementById("history-chart"));
        const l = c.legend.legendHitBoxes[0]; return { x: l.left + 5, y: l.top + 5 }; }"""
    )
    page.mouse.click(box["x"] + legend["x"], box["y"] + legend["y"])
    assert page.evaluate(LEGEND, "history-chart")["drawn"] == report["drawn"]


def test_the_medicines_table_scrolls_in_its_own_box_on_a_phone(
    page, context, live_server, owner, patient
):
    """Its five columns with a dose change and events ran 85 px past a 390 px page."""
    from rlsapp.tracking import services
    from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse

    agonist = services.save_treatment(
        Medication(patient=patient, drug="pramipexole", dose=0.125, started_on=weeks_ago(60))
    )
    for ago, kind, dose in [(50, "dose_change", 0.25), (20, "augmentation", None)]:
        services.save_treatment(
            MedicationEvent(medication=agonist, happened_on=weeks_ago(ago), kind=kind, dose=dose)
        )
    services.save_treatment(
        OralIronCourse(
            patient=patient, elemental_mg=65, schedule="alternate", started_on=weeks_ago(10)
        )
    )
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/patients/{patient.pk}/report/")
    page.wait_for_load_state("load")
    assert page.evaluate(OVERFLOW) <= 0
    box = page.get_by_role("region", name="Medicines and oral iron table")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
