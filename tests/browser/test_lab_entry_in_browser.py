"""The same paper report typed into the lab form by a US and a German account (issue 11).

Both browsers are en-US: the form, not the browser's locale, decides how numbers and
dates are read. The report is a German lab's printout: a day-first date, a grouping
point in ferritin, decimal commas, hemoglobin in g/L, hematocrit as a fraction, iron
and phosphate in µmol/L and mmol/L. Each person types it the way their region writes
it, key by key, answers the form's question about "1,050" / "1.050", and the stored
values are the report's.
"""

import datetime

import pytest
from django.utils import timezone

from rlsapp.tracking.models import LabDraw

from .test_charts_in_browser import sign_in_with_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "timezone_id": "America/New_York"}


def report_date():
    """A recent day above the 12th, so a day-first date cannot pass for month-first."""
    day = timezone.localdate() - datetime.timedelta(days=20)
    while day.day <= 12:
        day -= datetime.timedelta(days=1)
    return day


# The report: what the paper says, and what each region's person types.
# (analyte, unit picked, US typing, German typing)
TYPED = [
    ("ferritin", "µg/L", "1,050", "1.050"),
    ("hemoglobin", "g/L", "131", "131"),
    ("hematocrit", "L/L", "0.39", "0,39"),
    ("tsat", "%", "28", "28"),
    ("iron", "µmol/L", "17.9", "17,9"),
    ("phosphate", "mmol/L", "0.85", "0,85"),
]
STORED = {
    "ferritin": 1050,
    "hemoglobin": 13.1,
    "hematocrit": 39,
    "tsat": 28,
    "iron": 17.9 / 0.179,
    "phosphate": 0.85 / 0.3229,
}


@pytest.mark.parametrize("region", ["US", "DE"])
def test_the_same_paper_report_is_stored_the_same_from_a_us_and_a_german_account(
    page, context, live_server, owner, patient, console_errors, region
):
    owner.region = region
    owner.save()
    day = report_date()
    typed_date = f"{day.month}/{day.day}/{day.year}" if region == "US" else f"{day:%d.%m.%Y}"
    sign_in_with_cookie(context, live_server, owner)
    page.goto(f"{live_server.url}/patients/{patient.pk}/draws/new/")

    date_box = page.locator("#id_drawn_on")
    assert date_box.get_attribute("type") == "text"
    assert date_box.input_value() == ""  # no default: the date on the report is typed
    date_box.press_sequentially(typed_date)
    page.locator("#id_lab_name").press_sequentially("Labor Berlin")
    for code, unit, us_text, de_text in TYPED:
        page.locator(f"#id_{code}").press_sequentially(us_text if region == "US" else de_text)
        page.locator(f"#id_{code}_unit").select_option(unit)
    page.get_by_role("button", name="Save", exact=True).click()

    # "1,050" (US) and "1.050" (German) read differently under the other convention.
    page.wait_for_selector("text=which is on the report?")
    assert not LabDraw.objects.exists()
    page.get_by_label("1050 µg/L").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"{live_server.url}{patient.get_absolute_url()}")

    draw = LabDraw.objects.get()
    assert (draw.drawn_on, draw.lab_name) == (day, "Labor Berlin")
    values = {r.analyte: r.value for r in draw.results.all()}
    assert values == {code: pytest.approx(v, abs=1e-9) for code, v in STORED.items()}
    assert console_errors == []
