"""Eqs. 3.7-3.9 and interval coverage on hand-built cases."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ppa.accuracy import uncertainty as U


def test_entropy_known_values():
    assert U.entropy(np.array([0.5, 0.5])) == pytest.approx(np.log(2))
    assert U.entropy(np.array([1.0, 0.0, 0.0])) == 0.0
    assert U.entropy(np.full(10, 0.1)) == pytest.approx(np.log(10))


def test_decomposition_hand_case():
    # two confident samples that disagree: aleatoric ~0, epistemic ~log 2
    p = np.array([[[1.0, 0.0]], [[0.0, 1.0]]])
    s = U.decompose(p)
    assert s.total[0] == pytest.approx(np.log(2))
    assert s.aleatoric[0] == pytest.approx(0.0)
    assert s.epistemic[0] == pytest.approx(np.log(2))
    # two identical uncertain samples: all aleatoric
    q = np.array([[[0.5, 0.5]], [[0.5, 0.5]]])
    s = U.decompose(q)
    assert s.aleatoric[0] == pytest.approx(np.log(2)) and s.epistemic[0] == 0.0


probs_strategy = st.integers(1, 6).flatmap(lambda s: st.integers(2, 5).flatmap(lambda c: arrays(
    np.float64, (s, 3, c), elements=st.floats(0.01, 1.0))))


@settings(max_examples=60, deadline=None)
@given(raw=probs_strategy)
def test_decomposition_identities(raw):
    p = raw / raw.sum(axis=-1, keepdims=True)
    s = U.decompose(p)
    assert np.allclose(s.total, s.aleatoric + s.epistemic, atol=1e-12)
    assert np.all(s.epistemic >= 0)
    assert np.all(s.total <= np.log(p.shape[-1]) + 1e-12)
    same = U.decompose(np.repeat(p[:1], 4, axis=0))
    assert np.allclose(same.epistemic, 0.0, atol=1e-12)


def test_ece_hand_built():
    # 4 predictions at confidence 0.9 (3 right, 1 wrong) and 2 at 0.6 (both right)
    probs = np.array([[0.9, 0.1]] * 4 + [[0.6, 0.4]] * 2)
    labels = np.array([0, 0, 0, 1, 0, 0])
    # bin (0.8,0.9]: acc 0.75, conf 0.9 -> 4/6*0.15; bin (0.5,0.6]: acc 1, conf 0.6 -> 2/6*0.4
    expected = 4 / 6 * 0.15 + 2 / 6 * 0.4
    rel = U.reliability(probs, labels, n_bins=10)
    assert rel.ece == pytest.approx(expected)
    assert rel.count.sum() == 6 and rel.count[8] == 4 and rel.count[5] == 2
    assert rel.accuracy[8] == pytest.approx(0.75) and rel.confidence[5] == pytest.approx(0.6)
    recs = rel.records()
    assert len(recs) == 10 and recs[0]["accuracy"] is None


def test_ece_perfect_and_worst():
    labels = np.array([0, 1, 0, 1])
    onehot = np.eye(2)[labels]
    assert U.ece(onehot, labels) == 0.0
    wrong = np.eye(2)[1 - labels]
    assert U.ece(wrong, labels) == pytest.approx(1.0)
    # the mean prediction decides: two right samples and one wrong one are right
    samples = np.stack([onehot, onehot, wrong])
    assert U.accuracy(samples, labels) == 1.0
    assert U.accuracy(np.stack([onehot, wrong, wrong]), labels) == 0.0


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 1000))
def test_calibrated_by_construction_has_small_ece(seed):
    rng = np.random.default_rng(seed)
    conf = rng.uniform(0.5, 1.0, 5000)
    correct = rng.random(5000) < conf
    labels = np.where(correct, 0, 1)
    probs = np.stack([conf, 1 - conf], axis=1)
    assert U.ece(probs, labels) < 0.04


def test_interval_coverage():
    rng = np.random.default_rng(0)
    # predictive samples and truths from the same N(0,1): coverage ~ alpha
    preds = rng.standard_normal((2000, 400))
    y = rng.standard_normal(400)
    alphas = np.array([0.2, 0.5, 0.9])
    cov = U.interval_coverage(preds, y, alphas)
    assert np.all(np.abs(cov - alphas) < 0.07)
    # too narrow a predictive distribution under-covers
    narrow = U.interval_coverage(0.3 * preds, y, alphas)
    assert np.all(narrow < cov)
    assert U.calibration_error_regression(preds, y, alphas) < U.calibration_error_regression(0.3 * preds, y, alphas)
