"""What the printed report holds of a long history: each table row's height on paper, from
what the row shows (a reaction's length, a lab name that wraps), and the rows of each table
that fit two A4 or Letter pages together (domain.paper.fit). Every row left out is said on
the page, with where it is in rlsapp.

The widths below are the columns' widths on paper in characters of their 8 pt text, the
narrower of A4 and Letter inside 12 mm margins (static/css/charts.css print rules), taken a
little short: a row thought taller than it prints only leaves a line free.
"""

from rlsapp.domain import paper
from rlsapp.tracking.treatments import Medication

# Two Letter pages (the shorter paper) hold about 120 lines of 8 pt table text; the title,
# summary, chart, headings, table heads and notes take about 70 of them, a page break up to 8
# (the row that goes over whole, the table head repeated).
BUDGET = 49
# A lab's name in the results table; a reaction, a product in the infusions table.
LAB_WIDTH = 24
REACTION_WIDTH = 54
PRODUCT_WIDTH = 32
# The medicines and oral iron table: name, dose, to (with why stopped), dated events.
DRUG_WIDTH = 22
DOSE_WIDTH = 24
STOPPED_WIDTH = 22
EVENT_WIDTH = 26
# The estimate in the summary's right-hand column, a note across the page.
SUMMARY_WIDTH = 66
NOTE_WIDTH = 90
# What the summary says around an estimate's window and explanation.
ESTIMATE_WORDS = (
    "Estimate: below 100 µg/L. The shaded band on the chart shows where ferritin is likely "
    "to be (8 in 10 chance). Not medical advice. "
)
# A medicine's newest dated events printed.
PRINTED_EVENTS = 3
# A reaction printed longer than this is cut at a word, the whole of it in rlsapp.
REACTION_PRINTED = 230


def result_costs(draws, with_lab) -> tuple:
    """The results table's rows, newest first: one line, more where the lab's name wraps."""
    return tuple(paper.row_cost(paper.lines(d["lab"], LAB_WIDTH) if with_lab else 1) for d in draws)


def printed_reaction(text) -> tuple[str, bool]:
    """(what paper shows of a reaction, whether it was cut)."""
    text = (text or "").strip()
    if len(text) <= REACTION_PRINTED:
        return text, False
    cut = text[:REACTION_PRINTED].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut, True


def with_printed_reactions(infusions) -> list:
    """Each infusion with `reaction_printed` and `reaction_cut` for the paper."""
    for i in infusions:
        i.reaction_printed, i.reaction_cut = printed_reaction(i.reaction)
    return infusions


def infusion_costs(infusions) -> tuple:
    costs = []
    for i in infusions:
        reaction, cut = printed_reaction(i.reaction)
        if cut:
            reaction += " … (the whole text is in rlsapp)"
        costs.append(
            paper.row_cost(
                paper.lines(reaction or "none recorded", REACTION_WIDTH),
                paper.lines(i.product_full_name, PRODUCT_WIDTH),
            )
        )
    return tuple(costs)


def episode_costs(episodes) -> tuple:
    """The 'Infusions compared' rows, newest first: two lines (a product or an estimate
    wraps), more for the notes under the date."""
    costs = []
    for e in reversed(episodes):
        under_date = (
            1
            + bool(e.get("is_current"))
            + (e.get("doses", 1) > 1)
            + bool(e.get("lab_change"))
            + 2 * bool(e.get("oral_iron"))
        )
        costs.append(paper.row_cost(2, under_date))
    return tuple(costs)


def with_printed_events(medications) -> list:
    """Each medicine with its newest dated events for the paper (`printed_events`, oldest
    first) and how many earlier ones are left to rlsapp (`earlier_events`): a dose changed
    every few months for years would take a page on its own."""
    for m in medications:
        events = list(m.events.all())
        m.printed_events = events[-PRINTED_EVENTS:]
        m.earlier_events = len(events) - len(m.printed_events)
    return medications


def medication_cost(m) -> float:
    """A medicine's row, as with_printed_events left it for the paper."""
    events = m.printed_events
    earlier = f"{m.earlier_events} earlier events in rlsapp" if m.earlier_events else ""
    stopped = (
        f"{m.stopped_on:%d %b %Y} ({m.stop_reason})".replace(" ()", "")
        if m.stopped_on
        else "still taken"
    )
    dose = (
        m.now_shown if m.now_shown == m.dose_shown else f"{m.now_shown} (started at {m.dose_shown})"
    )
    return paper.row_cost(
        paper.lines(f"{m.drug_label} current" if not m.stopped_on else m.drug_label, DRUG_WIDTH),
        paper.lines(dose, DOSE_WIDTH),
        paper.lines(stopped, STOPPED_WIDTH),
        sum(paper.lines(f"{e.what_shown} on 10 Jan 2024: {e.note}", EVENT_WIDTH) for e in events)
        + (paper.lines(earlier, EVENT_WIDTH) if earlier else 0),
    )


def course_cost(c) -> float:
    vitamin = ", with vitamin C" if c.with_vitamin_c else ""
    stopped = (
        f"{c.ended_on:%d %b %Y} ({c.stop_reason})".replace(" ()", "") if c.ended_on else "ongoing"
    )
    return paper.row_cost(
        paper.lines(f"Oral iron: {c.product_label}{'' if c.ended_on else ' current'}", DRUG_WIDTH),
        paper.lines(
            f"{c.elemental_shown} mg elemental iron, {c.schedule_label}{vitamin}", DOSE_WIDTH
        ),
        paper.lines(stopped, STOPPED_WIDTH),
    )


def newest_treatments(courses, medications) -> list:
    """Medicines and courses, those still taken first, then the latest started."""

    def key(t):
        ended = t.stopped_on if isinstance(t, Medication) else t.ended_on
        return (ended is not None, -t.started_on.toordinal())

    return sorted([*medications, *courses], key=key)


def note_lines(projection, notes=()) -> float:
    """The lines the parts of varying length outside the tables take: the estimate in the
    summary (its words around the explanation, and what went in on a line of its own) and
    notes across the page (the TSAT guideline note)."""
    total = sum(paper.lines(text, NOTE_WIDTH) for text in notes if text)
    if projection:
        said = f"{projection.get('window') or ''} {projection.get('explanation') or ''}"
        total += paper.lines(ESTIMATE_WORDS + said, SUMMARY_WIDTH) + bool(projection.get("sources"))
    return total


def fit_report(
    draws, with_lab, infusions, episodes, treatments, latest_rows, projection=None, notes=()
) -> dict:
    """{"results", "infusions", "episodes", "treatments": rows shown}, each newest first.
    `latest_rows` (the latest values the results table does not show) and the `notes`
    always print."""
    latest = (2 + len(latest_rows) * 1.25) if latest_rows else 0
    tables = [
        paper.Table("results", result_costs(draws, with_lab), least=3, turn=2),
        paper.Table("infusions", infusion_costs(infusions), least=1),
        paper.Table("episodes", episode_costs(episodes), least=1),
        paper.Table(
            "treatments",
            tuple(
                medication_cost(t) if isinstance(t, Medication) else course_cost(t)
                for t in treatments
            ),
            least=1,
        ),
    ]
    return paper.fit(tables, BUDGET - latest - note_lines(projection, notes))
