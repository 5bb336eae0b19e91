"""The charts in a real browser: entered through the forms, drawn, matching the numbers."""

import datetime
import time

import pytest
from django.template.defaultfilters import floatformat

from rlsapp.domain import kinetics
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient
from tests.conftest import PASSWORD
from tests.reminders.helpers import add_ferritin, add_infusion

from .helpers import OVERFLOW, overflow_when_printed, sign_in_with_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date.today()


def weeks_ago(n):
    return TODAY - datetime.timedelta(weeks=n)


# (weeks ago, ferritin as typed, hemoglobin in g/L or "")
DRAWS = [
    (62, "30", "128"),
    (61, "<15", ""),
    (58, "480", ""),  # spike after the first infusion
    (52, "400", ""),
    (44, "350", "131"),
    (30, "280", ""),
    (22, "230", ""),
    (18, "520", ""),  # spike after the second
    (14, "330", "133"),
    (8, "290", ""),
    (2, "255", ""),
]
INFUSIONS = [(60, "fcm", "FCM 1000 mg"), (20, "derisomaltose", "Ferric derisomaltose 1000 mg")]

PIXELS = """(id) => {
  const canvas = document.getElementById(id);
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
  return drawn;
}"""

# The estimate's shaded band: its two edges, its fill, and whether the canvas is painted
# at a date past the latest result, three quarters of the way up the band (off the
# dashed middle line): alpha above 0 there means the band is drawn.
BAND_JS = """(chart) => {
  const high = chart.data.datasets.find((d) => d.id === "band-high");
  const low = chart.data.datasets.find((d) => d.id === "band-low");
  if (!high || !low) return null;
  const i = Math.floor(high.data.length * 0.75);
  const x = chart.scales.x.getPixelForValue(high.data[i].x);
  const y = chart.scales.y.getPixelForValue((low.data[i].y + 3 * high.data[i].y) / 4);
  const ratio = chart.currentDevicePixelRatio;
  const pixel = chart.ctx.getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data;
  return {
    high: high.data.map((p) => p.y),
    low: low.data.map((p) => p.y),
    fill: high.fill,
    alpha: pixel[3],
  };
}"""

HISTORY_CONFIG = (
    """() => {
  const BAND = """
    + BAND_JS
    + """;
  const chart = Chart.getChart(document.getElementById("history-chart"));
  const annotations = chart.config.options.plugins.annotation.annotations;
  const projection = chart.data.datasets.find((d) => d.id === "projection");
  return {
    infusions: Object.keys(annotations).filter((k) => k.startsWith("infusion"))
      .map((k) => annotations[k].label.content),
    lines: ["threshold", "reference75", "reference300"].map((k) => annotations[k].value),
    projection: projection ? projection.data.map((p) => p.y) : null,
    projectionDash: projection ? projection.borderDash : null,
    band: BAND(chart),
    decimation: chart.config.options.plugins.decimation.enabled,
    visible: chart.data.datasets.map((d, i) => [d.id, chart.isDatasetVisible(i)]),
  };
}"""
)


def wait_for_charts(page):
    page.wait_for_selector("[data-chart-state=drawn]", state="attached", timeout=15000)


def create_history_directly(patient):
    for ago, ferritin, _hemoglobin in DRAWS:
        draw = LabDraw.objects.create(patient=patient, drawn_on=weeks_ago(ago), lab_name="City Lab")
        comparator = "<" if ferritin.startswith("<") else ""
        value = float(ferritin.lstrip("<"))
        LabResult.objects.create(
            draw=draw,
            analyte="ferritin",
            value=value,
            comparator=comparator,
            entered_value=ferritin,
            entered_unit="µg/L",
        )
    for ago, product, _label in INFUSIONS:
        Infusion.objects.create(
            patient=patient, given_on=weeks_ago(ago), product=product, dose_mg=1000
        )


MODEL_NAMES = {"pooled": "combined", "linear": "linear", "loglinear": "log-linear"}


def expected_rows(patient):
    """The infusion table as rlsapp.domain.kinetics computes it from what was saved."""
    points = [
        kinetics.Point(r.draw.drawn_on, r.value, r.comparator)
        for r in LabResult.objects.ferritin_series(patient)
    ]
    doses = [kinetics.Dose(i.given_on, i.dose_mg) for i in Infusion.objects.filter(patient=patient)]
    rows = []
    for e in kinetics.split_episodes(points, doses):
        symbol = {"<": "<"}.get(e.baseline.comparator, "")
        rows.append(
            {
                # Ferritin in whole µg/L, as the table shows every baseline and peak.
                "baseline": f"{symbol}{floatformat(e.baseline.value, 0)}",
                "peak": floatformat(e.peak.value, 0),
                "decline": f"{e.linear.decline_per_week:.1f}",
                "half-life": f"{e.loglinear.half_life_weeks:.1f}",
                "r2": f"{e.linear.r_squared:.2f}",
                "points": f"{e.linear.n_points} {MODEL_NAMES[kinetics.choose_model(e)]}",
            }
        )
    return rows


def table_rows(page):
    return page.eval_on_selector_all(
        "#infusion-kinetics tbody tr",
        """rows => rows.map(r => Object.fromEntries(
            ["baseline", "peak", "decline", "half-life", "r2", "points"]
              .map(c => [c, r.querySelector("td." + c).textContent.trim()])))""",
    )


def save(page, last):
    """Submit the record form; wait for the next empty form, or for the patient page."""
    name = "Save" if last else "Save and add another"
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    assert page.locator(".invalid-feedback, .alert-danger").count() == 0, page.content()[:2000]


def test_a_person_enters_results_and_infusions_and_sees_them_charted(
    page, live_server, owner, console_errors, screenshot
):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", owner.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/patients/new/")
    page.fill("input[name=name]", "Sam")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/patients/*/")
    patient = Patient.objects.get(owner=owner)
    base = f"{live_server.url}/patients/{patient.pk}"

    # "Save and add another" keeps a person on the form, as when copying a stack of reports.
    page.goto(base + "/infusions/new/")
    for n, (ago, product, _label) in enumerate(INFUSIONS, 1):
        page.fill("input[name=given_on]", weeks_ago(ago).isoformat())
        page.select_option("select[name=product]", product)
        page.fill("input[name=dose_mg]", "1000")
        save(page, last=n == len(INFUSIONS))
    page.goto(base + "/draws/new/")
    for n, (ago, ferritin, hemoglobin) in enumerate(DRAWS, 1):
        page.fill("input[name=drawn_on]", weeks_ago(ago).isoformat())
        page.fill("input[name=lab_name]", "City Lab")
        page.fill("input[name=ferritin]", ferritin)
        if hemoglobin:
            page.fill("input[name=hemoglobin]", hemoglobin)
            page.select_option("select[name=hemoglobin_unit]", "g/L")
        save(page, last=n == len(DRAWS))
    page.goto(base + "/symptoms/new/")
    for n, (ago, severity) in enumerate([(19, "2"), (3, "5")], 1):
        page.fill("input[name=recorded_on]", weeks_ago(ago).isoformat())
        page.locator(".tap-scale label").nth(int(severity)).click()  # the 0–10 tap scale
        save(page, last=n == 2)
    assert LabResult.objects.filter(draw__patient=patient).count() == len(DRAWS) + 3

    page.goto(base + "/")
    wait_for_charts(page)
    assert page.evaluate(PIXELS, "history-chart") > 5000
    assert page.evaluate(PIXELS, "overlay-chart") > 5000
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "patient-1280", full_page=True)

    # The charts page: the same charts with the estimate's details and each infusion's numbers.
    page.get_by_role("link", name="Charts and numbers").first.click()
    page.wait_for_url(f"**/patients/{patient.pk}/charts/")
    wait_for_charts(page)
    config = page.evaluate(HISTORY_CONFIG)
    assert config["infusions"] == [label for _ago, _product, label in INFUSIONS]
    assert config["lines"] == [100, 75, 300]
    band = config["band"]
    assert band is not None and band["fill"] == "+1" and band["alpha"] > 0
    assert all(h >= low for h, low in zip(band["high"], band["low"], strict=True))
    assert config["projectionDash"]
    assert config["decimation"] is True
    assert ["hemoglobin", False] in config["visible"]

    page.check("#toggle-hemoglobin")
    visible = dict(page.evaluate(HISTORY_CONFIG)["visible"])
    assert visible["hemoglobin"] is True

    assert table_rows(page) == expected_rows(patient)
    note = page.locator("#projection-note").inner_text()
    # Three results after the second infusion, one fitted episode before it: the combined
    # estimate, labelled as the person's own history blended with the population default
    # (Alice never marked herself "This is me": "this person's"), its range in words.
    assert note.startswith(
        "From this person’s history and the population default Estimate: below 100 µg/L "
        "most likely in "
    )
    assert "; between " in note and "model: combined (fewer than 4 results)" in note
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page.locator("section.charts"), "charts-1280")

    page.goto(base + "/")
    page.get_by_text("More…").click()  # the report sits in the More… menu
    page.get_by_role("link", name="Printable report").click()
    page.wait_for_url(f"**/patients/{patient.pk}/report/")
    wait_for_charts(page)
    assert page.evaluate(PIXELS, "history-chart") > 5000
    assert table_rows(page) == expected_rows(patient)
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "report-1280", full_page=True)

    assert overflow_when_printed(page) <= 0
    screenshot(page, "report-print-a4", full_page=True)
    assert console_errors == []


def test_the_charts_fit_a_390_px_phone(
    page, context, live_server, owner, patient, console_errors, screenshot
):
    create_history_directly(patient)
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    wait_for_charts(page)
    assert page.evaluate(PIXELS, "history-chart") > 2000
    assert page.evaluate(PIXELS, "overlay-chart") > 2000
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page.locator("section.charts"), "charts-390")
    screenshot(page, "patient-390", full_page=True)

    page.goto(f"{live_server.url}/patients/{patient.pk}/report/")
    wait_for_charts(page)
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "report-390", full_page=True)
    assert console_errors == []


def test_empty_and_thin_histories_say_what_to_enter_and_label_the_population_default(
    page, context, live_server, owner, patient, console_errors, screenshot
):
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    # Nothing recorded: one "Getting started" note says what to enter, no empty charts.
    assert page.locator("canvas").count() == 0
    assert page.locator(".getting-started").is_visible()
    assert page.get_by_role("link", name="Add a lab result").first.is_visible()
    screenshot(page.locator(".getting-started"), "empty-1280")

    # One infusion and one result 9 weeks later: too thin to fit, so the population default.
    # Through the write path, so the cached page moves on with the data.
    add_infusion(patient, weeks_ago(10))
    add_ferritin(patient, weeks_ago(1), 240)
    page.reload()
    wait_for_charts(page)
    label = page.evaluate(
        """() => Chart.getChart(document.getElementById("history-chart"))
                 .data.datasets.find((d) => d.id === "projection").label"""
    )
    assert "population default" in label
    # The re-check card names what the estimate rests on beside its range.
    note = page.locator(".recheck-estimate").inner_text()
    assert note.startswith("Population default, not this person’s own data Estimate: ")
    assert "most likely around" in note and "8 in 10 chance between" in note
    # One result after the infusion: the chart data says there is no decline to lay side
    # by side, and the note replaces the empty chart.
    assert page.locator(".overlay-empty").is_visible()
    assert not page.locator("#overlay-chart").is_visible()
    band = page.evaluate(HISTORY_CONFIG)["band"]
    # The band widens with time and is painted on the canvas.
    assert band["high"][0] - band["low"][0] < band["high"][-1] - band["low"][-1]
    assert band["alpha"] > 0
    screenshot(page.locator("section.charts"), "thin-1280")
    assert console_errors == []


def test_a_500_draw_history_draws_quickly(page, context, live_server, owner, patient):
    LabDraw.objects.bulk_create(
        LabDraw(patient=patient, drawn_on=TODAY - datetime.timedelta(days=3 * i))
        for i in range(500)
    )
    LabResult.objects.bulk_create(
        LabResult(draw=d, analyte="ferritin", value=300 - i % 60 * 4, entered_value="1")
        for i, d in enumerate(LabDraw.objects.filter(patient=patient).order_by("drawn_on"))
    )
    Infusion.objects.bulk_create(
        Infusion(patient=patient, given_on=TODAY - datetime.timedelta(days=180 * i))
        for i in range(8)
    )
    sign_in_with_cookie(context, live_server, owner)

    started = time.perf_counter()
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    wait_for_charts(page)
    elapsed = time.perf_counter() - started

    assert page.evaluate(PIXELS, "history-chart") > 5000
    assert elapsed < 5, f"page and charts took {elapsed:.1f} s"
    print(f"500-draw patient page drawn in {elapsed:.2f} s")
