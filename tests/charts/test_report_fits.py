"""The printed report's tables share two pages (charts/printed.py): a long history keeps
the newest rows of each, says on the page what is left out and where it is, names one lab
once, and prints a long reaction's beginning with the whole of it in rlsapp."""

import datetime
import re

from rlsapp.charts import printed
from rlsapp.tracking.models import Infusion

from .helpers import DAY0, LONG_LAB, add_draw, add_stress_history
from .test_report import report, report_queries, results_rows


def test_a_stress_history_keeps_the_newest_of_each_table_and_says_what_is_left_out(
    owner_client, patient
):
    add_stress_history(patient, datetime.date.today())

    html = report(owner_client, patient)

    rows = results_rows(html)
    assert 3 <= len(rows) < 12
    assert f"{70 - len(rows)} earlier draws not shown; every result is in rlsapp." in html
    # one lab on every row shown: named once, not wrapped on each row
    assert f"Newest first, every one from {LONG_LAB}." in html
    assert "Lab or assay</th>" not in html
    infusions = html[html.index('id="report-infusions"') :]
    infusions = infusions[: infusions.index("</table>")]
    listed = infusions.count('<th scope="row" class="date">')
    assert 1 <= listed < 6
    assert f"{8 - listed} earlier infusions not listed here; every one is on the person’s page" in (
        html
    )
    kinetics = html[html.index('id="infusion-kinetics"') :]
    compared = kinetics[: kinetics.index("</table>")].count("<tr data-infusion=")
    assert f"The newest {compared} infusions; {8 - compared} earlier ones are compared" in html
    treatments = html[html.index('id="treatments-heading"') :]
    treatments = treatments[: treatments.index("</table>")]
    shown = treatments.count('<th scope="row">')
    assert shown == 3 or f"{3 - shown} earlier medicine" in html


def test_the_newest_medicines_are_kept_when_some_are_left_out(owner, patient):
    from rlsapp.charts.pages import report_context

    add_stress_history(patient, datetime.date.today())
    context = report_context(patient, None)
    kept = [*context["medications"], *context["courses"]]
    assert kept and len(kept) + context["earlier_treatments"] == 3
    # the medicine still taken comes first
    assert any(m.stopped_on is None for m in context["medications"])


def test_two_labs_keep_the_lab_column(owner_client, patient):
    add_draw(patient, DAY0, ferritin=80, lab=LONG_LAB)
    add_draw(patient, DAY0 + datetime.timedelta(days=30), ferritin=90)

    html = report(owner_client, patient)

    assert [row[-1] for row in results_rows(html)] == ["City Lab (Roche)", LONG_LAB]
    assert "every one from" not in html


def test_a_long_reaction_prints_its_beginning_and_the_whole_shows_on_screen(owner_client, patient):
    long = (
        "Flushing and back pain at ten minutes; infusion stopped and restarted slowly. " * 6
    ).strip()
    Infusion.objects.create(
        patient=patient, given_on=DAY0, product="fcm", dose_mg=1000, reaction=long
    )

    html = report(owner_client, patient)

    cell = re.search(r'<td class="reaction">(.*?)</td>', html, re.S)[1]
    assert f'<span class="d-print-none">{long}</span>' in cell
    printed_text = re.search(r'<span class="d-none d-print-inline">(.*?)</span>', cell)[1]
    assert printed_text.endswith(" … (the whole text is in rlsapp)")
    assert len(printed_text) < len(long) and long.startswith(printed_text.split(" …")[0])


def test_a_row_costs_more_where_its_text_wraps():
    short = Infusion(product="fcm", reaction="")
    long = Infusion(product="fcm", reaction="Flushing, chest tightness and back pain " * 4)
    assert printed.infusion_costs([long])[0] > printed.infusion_costs([short])[0]
    draws = [{"lab": LONG_LAB}, {"lab": "City Lab"}]
    assert printed.result_costs(draws, with_lab=True) == (2.25, 1.25)
    assert printed.result_costs(draws, with_lab=False) == (1.25, 1.25)


def test_the_query_count_is_the_same_for_a_stress_history(owner_client, patient):
    from rlsapp.tracking import services
    from rlsapp.tracking.treatments import Medication

    # One of each: a medicine's events are one more query, whatever their number.
    add_draw(patient, DAY0, ferritin=40)
    Infusion.objects.create(patient=patient, given_on=DAY0, product="fcm", dose_mg=1000)
    services.save_treatment(
        Medication(patient=patient, drug="pramipexole", dose=0.125, started_on=DAY0)
    )
    small = report_queries(owner_client, patient)
    other = type(patient).objects.create(owner=patient.owner, name="Stress")
    add_stress_history(other, datetime.date.today())
    assert report_queries(owner_client, other) == small


def test_a_medicine_prints_its_newest_events_and_says_how_many_are_earlier(owner_client, patient):
    from rlsapp.tracking import services
    from rlsapp.tracking.treatments import Medication, MedicationEvent

    agonist = services.save_treatment(
        Medication(patient=patient, drug="pramipexole", dose=0.125, started_on=DAY0)
    )
    for n in range(5):
        services.save_treatment(
            MedicationEvent(
                medication=agonist,
                happened_on=DAY0 + datetime.timedelta(days=30 * (n + 1)),
                kind="dose_change",
                dose=0.125 * (n + 2),
            )
        )

    html = report(owner_client, patient)

    cell = html[html.index('id="treatments-heading"') :]
    cell = cell[: cell.index("</table>")]
    assert "2 earlier events in rlsapp" in cell
    assert [
        f"on {d:%-d %b %Y}</div>" in cell
        for d in (DAY0 + datetime.timedelta(days=30 * k) for k in range(1, 6))
    ] == [False, False, True, True, True]
