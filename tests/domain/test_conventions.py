from decimal import Decimal

import pytest

from rlsapp.domain import conventions, formats, regions

R = regions.REGIONS


@pytest.mark.parametrize(
    ("texts", "region", "expected"),
    [
        (["64", "1,050.5", "1,050"], "DE", ("point", False)),  # 1,050.5 decides
        (["64", "12,5", "1.050"], "US", ("comma", False)),  # 12,5 decides
        (["64", "120"], "US", ("point", False)),  # nothing reads differently
        (["64", "120"], "DE", ("comma", False)),
        (["1,050", "64"], "US", ("point", True)),  # nothing decides, 1,050 differs: ask
        (["1.500"], "DE", ("comma", True)),
        (["12,5", "12.5"], "US", ("point", True)),  # both appear: ask
        (["<5", "38 ng/ml", "13,1 g/dl"], "US", ("comma", False)),
    ],
)
def test_a_files_number_convention_is_detected_or_asked(texts, region, expected):
    assert conventions.choose_convention(texts, "auto", R[region]) == expected


def test_a_chosen_convention_is_used_as_chosen():
    assert conventions.choose_convention(["12,5"], "point", R["US"]) == ("point", False)


def test_the_cells_a_file_reads_differently_are_listed_with_both_values():
    found = conventions.read_differently(["64", "1,050", "1.500", "12,5"], "comma", R["US"])
    assert found == [("1,050", Decimal("1.050"), Decimal("1050")), ("1.500", 1500, Decimal("1.5"))]


def test_a_file_in_the_accounts_convention_is_read_with_its_grouping():
    swedish = conventions.region_for_convention("comma", R["SE"])
    assert formats.read_number("1 050,5", swedish).value == Decimal("1050.5")
    assert conventions.region_for_convention("point", R["SE"]).code == "US"
    assert conventions.region_for_convention("comma", R["AT"]).code == "AT"


@pytest.mark.parametrize(
    ("region", "convention", "text"),
    [("CH", "point", "1,050.5"), ("SE", "comma", "1.050,5"), ("NO", "comma", "1.050,5")],
)
def test_a_file_in_the_accounts_decimal_sign_but_other_grouping_is_read(region, convention, text):
    # A Swiss account's "1,050.5" file (decimal point, as its own) was read with de_CH's
    # apostrophe grouping and refused; a Swedish one's "1.050,5" with sv_SE's space.
    chosen = conventions.region_for_convention(convention, R[region])
    assert formats.read_number(text, chosen).value == Decimal("1050.5")
    assert formats.read_number("1 050", chosen).value == 1050
