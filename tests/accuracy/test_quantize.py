"""Quantisers of Dhull et al. (Eq. 2, Table II) against values worked out by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ppa.accuracy import quantize as q


@pytest.mark.parametrize(
    "x, a, b, n, expected",
    [
        # Δ = (1 - (-1)) / 4 = 0.5; (0.3 + 1) / 0.5 = 2.6 -> 3 -> 3·0.5 - 1 = 0.5
        (0.3, -1.0, 1.0, 5, 0.5),
        # (-0.8 + 1) / 0.5 = 0.4 -> 0 -> -1
        (-0.8, -1.0, 1.0, 5, -1.0),
        # clipped first: 1.7 -> 1 -> (1 + 1)/0.5 = 4 -> 1
        (1.7, -1.0, 1.0, 5, 1.0),
        (-3.0, -1.0, 1.0, 5, -1.0),
        # Δ = 1/3 on [0, 1]: 0.6 / (1/3) = 1.8 -> 2 -> 2/3
        (0.6, 0.0, 1.0, 4, 2.0 / 3.0),
        # Δ = 2 on [2, 10] (n = 5): (7.1 - 2)/2 = 2.55 -> 3 -> 8
        (7.1, 2.0, 10.0, 5, 8.0),
    ],
)
def test_eq2_hand_worked(x, a, b, n, expected):
    assert q.uniform_quantize(x, a, b, n) == pytest.approx(expected)


def test_eq2_levels_are_the_five_dw_weights():
    assert np.allclose(q.uniform_levels(-1, 1, 5), [-1, -0.5, 0, 0.5, 1])
    x = np.linspace(-2, 2, 401)
    assert set(np.round(q.uniform_quantize(x, -1, 1, 5), 9)) == {-1.0, -0.5, 0.0, 0.5, 1.0}


def test_step_rejects_bad_ranges():
    with pytest.raises(ValueError):
        q.step(0, 1, 1)
    with pytest.raises(ValueError):
        q.step(1, 1, 4)


@pytest.mark.parametrize(
    "x, bits, expected",
    [
        (0.3, 2, 0.5),     # σ = 0.5: 0.3/0.5 = 0.6 -> 1 -> 0.5, inside [-0.5, 0.5]
        (0.9, 2, 0.5),     # 1.8 -> 2 -> 1.0, clipped to 1 - σ = 0.5
        (0.3, 3, 0.25),    # σ = 0.25: 1.2 -> 1 -> 0.25
        (-0.99, 3, -0.75),  # -3.96 -> -4 -> -1, clipped to -1 + σ = -0.75
        (0.123, 4, 0.125),  # σ = 0.125: 0.984 -> 1 -> 0.125
        (0.7, 1, 0.0),     # σ = 1: range [0, 0]
    ],
)
def test_clip_function_hand_worked(x, bits, expected):
    assert q.clip_q(x, bits) == pytest.approx(expected)


def test_sigma():
    assert [q.sigma(b) for b in (1, 2, 3, 8)] == [1.0, 0.5, 0.25, 2.0**-7]
    with pytest.raises(ValueError):
        q.sigma(0)


def test_stochastic_round_probabilities():
    rng = np.random.default_rng(0)
    n = 200_000
    pos = q.stochastic_round(np.full(n, 2.25), rng)
    assert set(np.unique(pos)) == {2.0, 3.0}
    assert np.mean(pos == 3.0) == pytest.approx(0.25, abs=0.005)  # P(ceil) = |n| - floor|n| = 0.25
    neg = q.stochastic_round(np.full(n, -1.75), rng)
    assert set(np.unique(neg)) == {-1.0, -2.0}
    assert np.mean(neg == -2.0) == pytest.approx(0.75, abs=0.005)  # |n| rounded up with P = 0.75
    assert neg.mean() == pytest.approx(-1.75, abs=0.01)  # unbiased
    ints = np.array([-3.0, 0.0, 4.0])
    assert np.array_equal(q.stochastic_round(np.tile(ints, 1000), rng), np.tile(ints, 1000))


def test_sgd_update_moves_to_next_level_with_the_right_probability():
    rng = np.random.default_rng(1)
    w = np.zeros(100_000)
    # W - η g = 0 - 0.1·(-1) = 0.1; the grid step is 0.5, so P(0.5) = 0.1 / 0.5 = 0.2, else stays at 0
    new = q.sgd_update(w, 0.1, -np.ones_like(w), rng)
    assert set(np.unique(new)) == {0.0, 0.5}
    assert np.mean(new == 0.5) == pytest.approx(0.2, abs=0.006)
    # a huge step is clipped to the top state
    assert np.all(q.sgd_update(np.ones(10), 10.0, -np.ones(10), rng) == 1.0)


def test_same_seed_same_result():
    x = np.linspace(-1, 1, 1000)
    a = q.stochastic_quantize(x, -1, 1, 5, np.random.default_rng(7))
    b = q.stochastic_quantize(x, -1, 1, 5, np.random.default_rng(7))
    assert np.array_equal(a, b)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-10, 10, allow_nan=False),
    st.floats(-5, 5, allow_nan=False),
    st.floats(0.01, 5, allow_nan=False),
    st.integers(2, 1024),
)
def test_eq2_error_at_most_half_a_step_inside_the_range(x, a, width, n):
    b = a + width
    y = q.uniform_quantize(x, a, b, n)
    d = q.step(a, b, n)
    assert a - 1e-9 <= y <= b + 1e-9
    assert abs(y - min(max(x, a), b)) <= d / 2 + 1e-9
