"""The history chart on a phone and a desktop (issue 16 item 5), on the demo's history."""

import datetime

import pytest

from rlsapp.tracking.demo import create_demo_people
from rlsapp.tracking.models import Infusion
from tests.browser.test_charts_in_browser import OVERFLOW, sign_in_with_cookie, wait_for_charts
from tests.charts.helpers import add_draw, add_long_history
from tests.charts.test_palette import contrast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date.today()

# Everything the test needs to know about the drawn history chart, read from Chart.js.
CHART = """() => {
  const chart = Chart.getChart(document.getElementById("history-chart"));
  const area = chart.chartArea;
  const points = [];
  chart.data.datasets.forEach((ds, i) => {
    if (!chart.isDatasetVisible(i)) return;
    chart.getDatasetMeta(i).data.forEach((el) => {
      if (el.skip || el.options.radius === 0) return;
      points.push({ id: ds.id, x: el.x, y: el.y, r: el.options.radius });
    });
  });
  const annotations = chart.config.options.plugins.annotation.annotations;
  return {
    area: { left: area.left, right: area.right, top: area.top, bottom: area.bottom },
    points: points,
    labels: chart.$topLabels,
    onPlotLabels: Object.keys(annotations).filter((k) => {
      const a = annotations[k];
      return (a.label && a.label.display) || a.type === "label";
    }),
    legend: chart.legend.legendItems.map((item) => ({
      text: item.text, colour: item.strokeStyle, hidden: item.hidden,
    })),
    threshold: chart.scales.y.getPixelForValue(chart.$threshold),
    datasets: chart.data.datasets.map((ds) => ({
      id: ds.id, label: ds.label, colour: ds.borderColor,
    })),
    yAxes: Object.values(chart.scales).filter((s) => s.axis === "y").map((s) => s.id),
  };
}"""

SWATCHES = """() => [...document.querySelectorAll("[data-series-toggle]")].map((input) => {
  const swatch = document.querySelector("label[for='" + input.id + "'] .series-swatch");
  return [input.dataset.seriesToggle, swatch ? getComputedStyle(swatch).backgroundColor : null];
})"""


def hex_of(css):
    """'rgb(0, 114, 178)' -> '#0072B2'."""
    r, g, b = (int(v) for v in css[css.index("(") + 1 : -1].split(",")[:3])
    return f"#{r:02X}{g:02X}{b:02X}"


def overlapping(box, point):
    return (
        box["left"] - point["r"] < point["x"] < box["right"] + point["r"]
        and box["top"] - point["r"] < point["y"] < box["bottom"] + point["r"]
    )


def check_chart(page):
    chart = page.evaluate(CHART)
    # Labels sit above the plot area, so no label covers a result; none is drawn on it.
    assert chart["labels"], "no infusion or estimate labels drawn"
    assert chart["onPlotLabels"] == []
    for box in chart["labels"]:
        if box.get("inside"):  # a medicine's name in its strip at the foot of the plot
            assert chart["area"]["top"] < box["top"] < chart["area"]["bottom"]
        else:
            assert box["bottom"] <= chart["area"]["top"]
            assert box["size"] >= 12
            assert contrast(box["color"], box["background"]) >= 4.5, box
        hits = [p for p in chart["points"] if overlapping(box, p)]
        assert hits == [], (box, hits)
    # A legend entry with its colour for every series, and for the threshold and infusions.
    legend = {item["text"]: item for item in chart["legend"]}
    for ds in chart["datasets"]:
        if ds["id"] == "band-low":
            continue
        assert ds["label"] in legend, ds["label"]
        if ds["id"] != "band-high":
            assert legend[ds["label"]]["colour"].upper() == ds["colour"].upper()
    assert any(text.startswith("Threshold ") for text in legend)
    assert "Infusion" in legend
    assert len(chart["yAxes"]) <= 2
    # No blood series runs along the threshold line (the demo's hemoglobin did).
    for code in ("hemoglobin", "hematocrit", "tsat"):
        ys = [p["y"] for p in chart["points"] if p["id"] == code]
        if ys:
            assert abs(sum(ys) / len(ys) - chart["threshold"]) >= 16, code
    return chart


@pytest.mark.parametrize("width", [390, 1280])
def test_the_demo_history_chart_labels_legend_and_axes(
    page, context, live_server, owner, console_errors, screenshot, width
):
    people = create_demo_people(owner, TODAY)
    alex = people[0]
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": width, "height": 900 if width > 600 else 844})
    # The charts page: the history chart as the person page draws it, with the estimate's words.
    page.goto(f"{live_server.url}/patients/{alex.pk}/charts/")
    wait_for_charts(page)

    chart = check_chart(page)
    texts = [box["text"] for box in chart["labels"]]
    assert any(t.startswith("Estimate: ") or t[0].isdigit() for t in texts), texts
    assert any("mg" in t for t in texts), texts
    # Hemoglobin, hematocrit and TSAT: in the legend (struck through until shown), each
    # checkbox with its series' swatch.
    hidden = {item["text"] for item in chart["legend"] if item["hidden"]}
    assert {"Hemoglobin (g/dL)", "Hematocrit (%)"} <= hidden
    colours = {ds["id"]: ds["colour"].upper() for ds in chart["datasets"]}
    swatches = page.evaluate(SWATCHES)
    assert {code for code, _ in swatches} >= {"hemoglobin", "hematocrit", "tsat", "symptoms"}
    for code, css in swatches:
        assert css is not None and hex_of(css) == colours[code], code
    screenshot(page.locator("section.charts figure").first, f"history-chart-{width}")
    screenshot(page.locator("section.charts"), f"charts-demo-{width}")
    # The estimate's words under the chart: at least 12 px, at least 4.5:1 on white.
    size, colour = page.evaluate(
        """() => { const s = getComputedStyle(document.getElementById("projection-note"));
                   return [parseFloat(s.fontSize), s.color]; }"""
    )
    assert size >= 12 and contrast(hex_of(colour), "#FFFFFF") >= 4.5, (size, colour)

    # Every series shown: still two y-axes, labels still clear of every point.
    for code, _ in swatches:
        page.check(f"[data-series-toggle={code}]")
    page.wait_for_timeout(100)
    chart = check_chart(page)
    assert not any(item["hidden"] for item in chart["legend"])
    screenshot(page.locator("section.charts figure").first, f"history-chart-all-{width}")

    # The legend toggles a series and its checkbox follows.
    item = next(i for i, it in enumerate(chart["legend"]) if it["text"] == "Hemoglobin (g/dL)")
    page.evaluate(
        """(index) => {
          const chart = Chart.getChart(document.getElementById("history-chart"));
          const item = chart.legend.legendItems[index];
          chart.options.plugins.legend.onClick.call(chart.legend, {}, item, chart.legend);
        }""",
        item,
    )
    assert not page.is_checked("[data-series-toggle=hemoglobin]")
    assert console_errors == []


def test_two_results_keep_the_width_on_a_phone(
    page, context, live_server, owner, patient, console_errors, screenshot
):
    # Slowly falling: the estimate's late end lies years ahead (it used to reach 2028).
    Infusion.objects.create(
        patient=patient, given_on=TODAY - datetime.timedelta(weeks=12), dose_mg=1000
    )
    add_draw(patient, TODAY - datetime.timedelta(weeks=4), ferritin=400)
    add_draw(patient, TODAY, ferritin=395)
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    wait_for_charts(page)

    chart = check_chart(page)
    area = chart["area"]
    latest = max(p["x"] for p in chart["points"] if p["id"] == "ferritin")
    assert (latest - area["left"]) / (area["right"] - area["left"]) > 0.25
    screenshot(page.locator("section.charts figure").first, "history-chart-two-results-390")
    assert console_errors == []


def test_the_results_table_opens_from_the_summary_on_a_phone(
    page, context, live_server, owner, console_errors, screenshot
):
    alex = create_demo_people(owner, TODAY)[0]
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/patients/{alex.pk}/")
    wait_for_charts(page)
    # The overlay chart names its threshold line in the legend too.
    legend = page.evaluate(
        """() => Chart.getChart(document.getElementById("overlay-chart"))
                 .legend.legendItems.map((item) => item.text)"""
    )
    assert any(text.startswith("Threshold ") for text in legend)

    page.click("#history-summary a#results-table-link")
    page.wait_for_url(f"**/patients/{alex.pk}/chart-table/")
    headers = page.eval_on_selector_all(
        "#results-table thead th", "ths => ths.map(t => t.innerText)"
    )
    for name in ("Ferritin", "Hemoglobin", "Hematocrit", "Symptom score", "Infusion"):
        assert any(h.startswith(name) for h in headers), (name, headers)
    assert page.locator("#results-table tbody tr").count() > 20
    # The table scrolls inside its own box (reachable by keyboard); the page does not.
    assert page.evaluate(OVERFLOW) <= 0
    assert page.get_attribute("#results-table >> xpath=..", "tabindex") == "0"
    screenshot(page, "results-table-390")
    assert console_errors == []


OVERLAY_LEGEND = """() => {
  const chart = Chart.getChart(document.getElementById("overlay-chart"));
  const legend = chart.legend;
  return {
    entries: legend.legendItems.length,
    outside: legend.legendHitBoxes.filter((b) => b.top + b.height > legend.top + legend.height + 1)
      .length,
    plot: chart.chartArea.bottom - chart.chartArea.top,
  };
}"""


def test_every_infusion_keeps_its_legend_entry_on_a_phone(
    page, context, live_server, owner, patient, screenshot
):
    """Chart.js gives a bottom legend half the chart at most and leaves out what does not
    fit: with eight infusions at 390 px, 8 of the overlay's 17 entries were not drawn and
    its plot was a 75 px strip."""
    add_long_history(patient, 400)  # eight infusions, each with its decline
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/patients/{patient.pk}/charts/")
    wait_for_charts(page)
    found = page.evaluate(OVERLAY_LEGEND)
    assert found["entries"] >= 17 and found["outside"] == 0, found
    assert found["plot"] >= 150, found
    screenshot(page.locator("#overlay-chart"), "overlay-legend-390")
