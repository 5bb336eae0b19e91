"""What an estimate rests on (Estimate.basis): never more of the person's own data than
went in. The population default blended with the person's results is named beside them."""

from datetime import timedelta

import pytest

from rlsapp.domain import estimate as E
from rlsapp.domain import kinetics
from rlsapp.domain.kinetics import Dose, Point

from .test_estimate import COURSES, HISTORY, ORIGIN, run, week


@pytest.mark.parametrize(
    "points, doses, population, sources, basis",
    [
        # One result, no earlier infusion: only the population default speaks of the rate.
        ([week(8, 300)], (Dose(ORIGIN, 1000),), 6.6, ("current", "population"), "population"),
        # Earlier infusions and the population prior, pooled by their precisions.
        (
            [*HISTORY, week(8, 300)],
            COURSES,
            6.6,
            ("history", "current", "population"),
            "own_population",
        ),
        # Earlier infusions alone (the population default turned off).
        ([*HISTORY, week(8, 300)], COURSES, None, ("history", "current"), "own"),
        # This infusion's three results blended with the population prior.
        (
            [week(4, 400), week(8, 110), week(12, 105)],
            (Dose(ORIGIN, 1000),),
            6.6,
            ("current", "population"),
            "current_population",
        ),
    ],
)
def test_the_basis_names_every_kind_of_data_that_went_in(points, doses, population, sources, basis):
    result = run(points, doses, population_slope=population)

    assert result.has_date
    assert result.sources == sources
    assert result.basis == basis


def test_own_history_with_the_population_prior_is_not_called_own_history_alone():
    result = run([*HISTORY, week(8, 300)], COURSES, population_slope=6.6)

    assert "history" in result.sources and "population" in result.sources
    assert E.basis_words(result.basis, about_me=True) == (
        "From your own history and the population default"
    )
    assert E.basis_words(result.basis, about_me=False) == (
        "From this person’s history and the population default"
    )
    # The explanation lists what went in; it no longer opens with "from your own history".
    assert "own history" not in result.explanation


def test_four_results_fitted_alone_have_no_basis_badge():
    points = [
        Point(ORIGIN + timedelta(weeks=w), v) for w, v in [(4, 400), (8, 350), (12, 300), (16, 250)]
    ]
    result = run(points, population_slope=6.6)

    assert result.model in ("linear", "loglinear")
    assert result.sources == ("current",)
    assert result.basis == ""


def test_every_basis_has_words():
    bases = {E.BASIS_POPULATION, E.BASIS_OWN, E.BASIS_OWN_POPULATION, E.BASIS_CURRENT_POPULATION}
    assert set(E.BASIS_WORDS) == bases
    assert kinetics.MODEL_MIN_POINTS == 4  # the test above fits four results alone
