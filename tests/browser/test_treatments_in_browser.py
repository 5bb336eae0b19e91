"""Issue 17 in a real browser: a course of oral iron and an RLS medicine entered through the
forms, then seen as bands on the history chart and in the report."""

import datetime

import pytest

from rlsapp.domain.units import Measurement
from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion, LabDraw, Patient
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse

from .helpers import overflow_when_printed
from .test_charts_in_browser import PIXELS, sign_in_with_cookie, wait_for_charts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date.today()


def weeks_ago(n):
    return TODAY - datetime.timedelta(weeks=n)


# An infusion 40 weeks ago, a decline, then a rise during oral iron from week 14 ago.
DRAWS = [(41, 40), (35, 310), (30, 270), (25, 230), (20, 190), (12, 215), (6, 240)]

ANNOTATIONS = """() => {
  const chart = Chart.getChart(document.getElementById("history-chart"));
  const all = chart.config.options.plugins.annotation.annotations;
  const pick = (prefix) => Object.keys(all).filter((k) => k.startsWith(prefix))
    .map((k) => ({ label: all[k].label.content, xMin: all[k].xMin, xMax: all[k].xMax,
                   type: all[k].type, value: all[k].value }));
  const ferritin = chart.data.datasets.find((d) => d.id === "ferritin");
  return {
    courses: pick("course"),
    medicines: pick("medicine").filter((a) => a.type === "box"),
    events: pick("medicineEvent"),
    hollow: ferritin.data.filter((p) => p.ex).length,
  };
}"""


def submit(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert page.locator(".invalid-feedback, .alert-danger").count() == 0, page.content()[:3000]


# How far a table runs past its scroll box: columns a reader must scroll to, or that paper cuts.
HIDDEN_COLUMNS = "box => box.scrollWidth - box.clientWidth"


def test_a_course_and_a_medicine_entered_in_forms_show_on_the_chart_and_in_the_report(
    page, live_server, owner, console_errors, screenshot
):
    patient = services.save_person(Patient(owner=owner, name="Ana"))
    services.save_record(Infusion(patient=patient, given_on=weeks_ago(40), dose_mg=1000))
    for ago, value in DRAWS:
        services.save_draw(
            LabDraw(patient=patient, drawn_on=weeks_ago(ago), lab_name="City Lab"),
            {"ferritin": Measurement("ferritin", value, "", str(value), "µg/L")},
        )
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_with_cookie(page.context, live_server, owner)
    base = f"{live_server.url}/patients/{patient.pk}"

    # A course with a bad end first: the message names the field and nothing is saved.
    page.goto(base + "/oral-iron/new/")
    page.select_option("select[name=product]", "ferrous_sulfate")
    page.fill("input[name=elemental_mg]", "65")
    page.select_option("select[name=schedule]", "alternate")
    page.check("input[name=with_vitamin_c]")
    page.fill("input[name=started_on]", weeks_ago(14).isoformat())
    page.fill("input[name=ended_on]", weeks_ago(15).isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector("#id_ended_on.is-invalid")
    assert "is before the start date" in page.locator("#error_1_id_ended_on").text_content()
    assert not OralIronCourse.objects.exists()
    page.fill("input[name=ended_on]", "")  # still taken
    submit(page)

    page.goto(base + "/medicines/new/")
    page.select_option("select[name=drug]", "ropinirole")
    page.fill("input[name=dose]", "0.5")
    page.fill("input[name=started_on]", weeks_ago(60).isoformat())
    page.fill("input[name=stopped_on]", weeks_ago(8).isoformat())
    page.fill("input[name=stop_reason]", "augmentation")
    submit(page)
    medication = Medication.objects.get(patient=patient)
    page.goto(f"{live_server.url}/medicines/{medication.pk}/events/new/")
    page.fill("input[name=happened_on]", weeks_ago(10).isoformat())
    page.select_option("select[name=kind]", "augmentation")
    page.fill("textarea[name=note]", "symptoms from 3 pm")
    submit(page)
    assert MedicationEvent.objects.get().kind == "augmentation"

    page.goto(base + "/")
    wait_for_charts(page)
    assert page.evaluate(PIXELS, "history-chart") > 5000
    drawn = page.evaluate(ANNOTATIONS)
    assert [c["label"] for c in drawn["courses"]] == ["Oral iron: Ferrous sulfate"]
    assert [m["label"] for m in drawn["medicines"]] == ["Ropinirole"]
    assert [e["label"] for e in drawn["events"]] == ["Augmentation: Ropinirole"]
    assert drawn["hollow"] == 2  # the two results during the course, left out of the fit
    screenshot(page.locator("#history-chart"), "issue17-history-chart")
    page.get_by_role("link", name="what augmentation looks like").first.click()
    assert "earlier in the day" in page.content()

    # Each infusion's numbers, on the charts page, say the course ran during it.
    page.goto(base + "/charts/")
    assert (
        "oral iron during it (Ferrous sulfate)" in page.locator("#infusion-kinetics").inner_text()
    )
    # That note wraps under the infusion's date: every column shows on a desktop without
    # scrolling the table, and printed the table is whole (no scroll box on paper).
    box = page.locator(".table-responsive:has(#infusion-kinetics)")
    assert box.evaluate(HIDDEN_COLUMNS) <= 0
    assert overflow_when_printed(page) <= 0
    assert box.evaluate(HIDDEN_COLUMNS) <= 0
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(base + "/report/")
    wait_for_charts(page)
    assert len(page.evaluate(ANNOTATIONS)["courses"]) == 1
    section = page.locator(".report-treatments").inner_text()
    assert "Ropinirole (Requip)" in section and "augmentation" in section
    assert "Oral iron: Ferrous sulfate" in section and "ongoing" in section
    assert "65 mg elemental iron, every other day, with vitamin C" in section
    screenshot(page, "issue17-report", full_page=True)
    assert console_errors == []


def test_a_medicine_row_stays_a_few_lines_tall_on_a_phone(page, context, live_server, owner):
    """Squeezed to their longest word beside the dates (which never wrap), a medicine's name
    and its events took a line a word: the row was 250 px tall in its 390 px scroll box."""
    patient = Patient.objects.create(owner=owner, name="Ann")
    agonist = services.save_treatment(
        Medication(patient=patient, drug="pramipexole", dose=0.125, started_on=weeks_ago(60))
    )
    services.save_treatment(
        MedicationEvent(medication=agonist, happened_on=weeks_ago(20), kind="augmentation")
    )
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/patients/{patient.pk}/medicines/")
    page.wait_for_load_state("load")
    row = page.locator("tbody tr").first
    assert row.bounding_box()["height"] < 200
    for cell in row.locator("td.wrap").all():
        assert cell.bounding_box()["width"] >= 140


def test_a_draw_left_out_during_oral_iron_leaves_the_lab_results_in_view_on_a_phone(
    page, context, live_server, owner, screenshot
):
    """The mark 'left out: taken during Ferrous sulfate' on one line set the date column's
    width, so on a phone every draw's results ran past the table's box (cut at the edge,
    to be swiped to)."""
    patient = Patient.objects.create(owner=owner, name="Ann")
    services.save_treatment(
        OralIronCourse(
            patient=patient, product="ferrous_sulfate", elemental_mg=65, started_on=weeks_ago(20)
        )
    )
    for ago, value in [(30, 95), (10, 180)]:
        services.save_draw(
            LabDraw(patient=patient, drawn_on=weeks_ago(ago), lab_name="City Lab"),
            {"ferritin": Measurement("ferritin", value, "", str(value), "µg/L")},
        )
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.wait_for_load_state("load")
    box = page.get_by_role("region", name="Lab results table")
    assert "Ferrous sulfate" in box.locator(".draw-left-out").inner_text()
    assert box.evaluate(HIDDEN_COLUMNS) <= 0
    # The latest value carries the same mark, and its card keeps it in view.
    latest = page.locator("#latest-heading + div .draw-left-out")
    assert latest.inner_text() == "left out: taken during Ferrous sulfate"
    assert latest.evaluate("e => e.scrollWidth <= e.closest('.card').clientWidth")
    screenshot(page.locator("#latest-heading").locator(".."), "latest-left-out-390")
