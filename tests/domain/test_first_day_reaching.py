"""The crossing window's day search gives exactly the day plain bisection gives."""

import math

from hypothesis import given
from hypothesis import strategies as st

from rlsapp.domain.trend import _first_day_reaching


def bisection(share, q, low, high):
    while high - low > 1:
        mid = (low + high) // 2
        if share(mid) >= q:
            high = mid
        else:
            low = mid
    return high


@given(
    centre=st.floats(1, 2000),
    spread=st.floats(0.5, 400),
    q=st.floats(0.01, 0.99),
    horizon=st.integers(2, 3000),
)
def test_it_finds_the_day_bisection_finds(centre, spread, q, horizon):
    calls = []

    def share(day):
        calls.append(day)
        return 0.5 * math.erfc(-(day - centre) / spread / math.sqrt(2))

    at_horizon = share(horizon)
    if not (share(0) < q <= at_horizon):
        return
    _low, _at_low, high = _first_day_reaching(share, q, 0, share(0), horizon, at_horizon)
    assert high == bisection(share, q, 0, horizon)


@given(
    centre=st.floats(1, 2000),
    spread=st.floats(0.5, 400),
    q=st.floats(0.01, 0.99),
    horizon=st.integers(2, 3000),
    hint=st.none() | st.floats(-5000, 20000),
    reach=st.floats(0.1, 3000),
)
def test_a_hint_anywhere_finds_the_day_bisection_finds(centre, spread, q, horizon, hint, reach):
    def share(day):
        return 0.5 * math.erfc(-(day - centre) / spread / math.sqrt(2))

    at_horizon = share(horizon)
    if not (share(0) < q <= at_horizon):
        return
    low, at_low, high = _first_day_reaching(share, q, 0, share(0), horizon, at_horizon, hint, reach)
    assert high == bisection(share, q, 0, horizon)
    assert (low, at_low) == (high - 1, share(high - 1))


def test_a_good_hint_takes_fewer_looks_than_bisection():
    calls = []

    def share(day):
        calls.append(day)
        return 0.5 * math.erfc(-(day - 600) / 80 / math.sqrt(2))

    _first_day_reaching(share, 0.9, 0, 0.0, 18250, 1.0, hint=600 + 1.28 * 80, reach=20)
    assert len(calls) <= 6  # bisection over 18,250 days looks 15 times
