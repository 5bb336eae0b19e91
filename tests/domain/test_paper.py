"""The printed report's tables share two pages (domain/paper.py): rows cost what they take
on paper, the tables take turns, and a table cut short pays for the line that says so."""

from rlsapp.domain import paper
from rlsapp.domain.paper import Table


def test_a_row_costs_its_tallest_cell_and_text_wraps_at_words():
    assert paper.lines("", 20) == 1
    assert paper.lines("Mild headache the same evening.", 40) == 1
    assert paper.lines("Quest Diagnostics Regional Laboratory", 24) == 2
    assert paper.row_cost(1, 3, 2) == 3 + paper.ROW_EDGE


def test_everything_shows_when_it_fits():
    tables = [Table("results", (1.25,) * 5, most=12), Table("infusions", (2.25, 1.25))]
    assert paper.fit(tables, 100) == {"results": 5, "infusions": 2}


def test_each_table_stops_at_its_most():
    assert paper.fit([Table("results", (1.0,) * 20, most=12)], 100) == {"results": 12}


def test_long_rows_in_one_table_leave_room_for_the_others():
    # Three reactions of three lines each would fill the budget taken in turn by rows
    # alone; sharing, every table keeps its newest rows and says the rest are left out.
    tables = [
        Table("results", (1.25,) * 12, least=3, turn=2),
        Table("infusions", (3.25,) * 8, least=1),
        Table("treatments", (4.25, 2.25, 5.25), least=1),
    ]
    shown = paper.fit(tables, 30)
    assert shown == {"results": 8, "infusions": 3, "treatments": 2}
    used = 8 * 1.25 + 1 + 3 * 3.25 + 1 + 4.25 + 2.25 + 1  # with the three 'left out' lines
    assert used <= 30


def test_a_table_cut_short_pays_for_its_line_saying_so():
    # Four rows of one line fit in four lines only when all four show; with three the
    # 'one earlier … not shown' line makes four.
    assert paper.fit([Table("t", (1.0,) * 4)], 4) == {"t": 4}
    assert paper.fit([Table("t", (1.0,) * 5)], 4) == {"t": 3}


def test_the_least_rows_show_whatever_the_budget():
    tables = [Table("results", (5.0,) * 4, least=3), Table("infusions", (5.0,), least=1)]
    assert paper.fit(tables, 2) == {"results": 3, "infusions": 1}


def test_rows_are_the_newest_in_order_never_one_skipped():
    # A tall newest row stops the table: an older short one is not taken in its place,
    # so 'N earlier not shown' stays true.
    tables = [Table("infusions", (6.0, 1.0, 1.0)), Table("results", (1.0,) * 3)]
    assert paper.fit(tables, 5) == {"infusions": 0, "results": 3}
