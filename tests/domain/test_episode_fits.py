"""An episode's two fits are fit_decline's of its decline points (estimate reads an
earlier episode's log-linear fit as its rate instead of fitting it again)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rlsapp.domain import kinetics
from rlsapp.domain.kinetics import Dose, Point

ORIGIN = date(2021, 3, 1)


@settings(max_examples=80, deadline=None)
@given(
    gaps=st.lists(st.integers(10, 500), max_size=5),
    results=st.lists(
        st.tuples(
            st.integers(-30, 2500),
            st.floats(1, 2000),
            st.sampled_from(["", "", "", "<", ">"]),
            st.booleans(),
        ),
        max_size=40,
    ),
)
def test_each_episodes_fits_are_fit_decline_of_its_decline_points(gaps, results):
    days = [0]
    for gap in gaps:
        days.append(days[-1] + gap)
    doses = [Dose(ORIGIN + timedelta(days=d), 1000) for d in days]
    points = [
        Point(ORIGIN + timedelta(days=d), v, c, excluded=left_out) for d, v, c, left_out in results
    ]
    for episode in kinetics.split_episodes(points, doses):
        for kind in ("linear", "loglinear"):
            expected = kinetics.fit_decline(episode.decline_points, episode.dose.day, kind)
            assert episode.fit(kind) == expected
        assert all(p.usable for p in episode.decline_points)
