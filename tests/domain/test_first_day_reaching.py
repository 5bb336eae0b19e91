"""The crossing window's day search gives exactly the day plain bisection gives."""

import math
from statistics import NormalDist

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


def test_a_skewed_window_takes_few_looks():
    # A crossing day's distribution is skewed (the day goes as one over the slope): here
    # log-normal. Its 10 %, 50 % and 90 % days searched in turn as crossing_quantiles does,
    # each from the days looked at before and the first-order guess (centre, spread).
    for centre in (100, 300, 600, 2000):
        for sigma in (0.1, 0.2, 0.3, 0.5):
            looked = {}

            def share(day, centre=centre, sigma=sigma, looked=looked):
                if day not in looked:
                    z = (math.log(day) - math.log(centre)) / sigma if day > 0 else -math.inf
                    looked[day] = 0.5 * math.erfc(-z / math.sqrt(2))
                return looked[day]

            seen = {0: 0.0, 18250: share(18250)}
            for q in (0.1, 0.5, 0.9):
                low, at_low = max((d, v) for d, v in seen.items() if v < q)
                high, at_high = min((d, v) for d, v in seen.items() if v >= q)
                hint = centre + NormalDist().inv_cdf(q) * centre * sigma
                day = _first_day_reaching(
                    lambda d, seen=seen, share=share: seen.setdefault(d, share(d)),
                    q,
                    low,
                    at_low,
                    high,
                    at_high,
                    hint,
                    max(1.0, centre * sigma / 4),
                )[2]
                assert day == bisection(lambda d, share=share: share(d, looked={}), q, 0, 18250)
            # Fewer looks than walking from the guess in doubling steps took for these.
            assert len(looked) - 1 <= 12
