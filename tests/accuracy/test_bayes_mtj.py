"""Bayes-MTJ noise source: Eq. 3.5 sampler, Eq. 3.6 scaling, sigma range/clipping, mu quantisation."""

import math
import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from ppa.accuracy import bayes_mtj
from ppa.accuracy.bayes_mtj import BayesMtjParams

P = BayesMtjParams()


def test_pdf_normalised_and_mixture_weights():
    total = integrate.quad(lambda x: float(bayes_mtj.pdf(x)), -1, 1, points=[0], limit=200)[0]
    assert total == pytest.approx(1.0, abs=1e-9)
    w_s, w_g = P.mixture_weights
    assert w_s == pytest.approx(0.97400, abs=1e-4) and w_g == pytest.approx(0.02600, abs=1e-4)


def test_samples_match_eq_3_5_ks():
    x = bayes_mtj.sample(200_000, np.random.default_rng(1))
    assert np.all(np.abs(x) < 1)
    res = stats.kstest(x, lambda v: bayes_mtj.cdf(v))
    assert res.pvalue > 1e-3
    # and the test has power: a Gaussian of the same std is rejected
    g = np.random.default_rng(2).normal(0, P.shape_std, 200_000)
    assert stats.kstest(np.clip(g, -1, 1), lambda v: bayes_mtj.cdf(v)).pvalue < 1e-6


def test_cdf_matches_numerical_integral():
    for v in (-0.7, -0.02, 0.0, 0.05, 0.5):
        num = integrate.quad(lambda x: float(bayes_mtj.pdf(x)), -1, v, points=[0] if v > 0 else None, limit=200)[0]
        assert float(bayes_mtj.cdf(v)) == pytest.approx(num, abs=1e-8)


def test_std_after_factor_matches_sigma():
    rng = np.random.default_rng(3)
    x = bayes_mtj.sample(400_000, rng)
    assert x.std() == pytest.approx(P.shape_std, rel=5e-3)
    # the paper's 2.379 overshoots sigma by 2.2 % for the normalised Eq. 3.5; the exact ratio hits it
    sigma, mu_max = 0.2, 1.0
    dg = bayes_mtj.conductance_noise(x, sigma, mu_max)
    target = P.max_noise_conductance_S * sigma / mu_max
    assert dg.std() == pytest.approx(target, rel=0.03)
    assert dg.std() / target == pytest.approx(2.379 * P.shape_std, rel=5e-3)
    exact = bayes_mtj.conductance_noise(x, sigma, mu_max, P.with_(std_ratio=P.exact_std_ratio))
    assert exact.std() == pytest.approx(target, rel=5e-3)
    assert P.exact_std_ratio == pytest.approx(2.328, abs=1e-3)


def test_float32_sampling_also_matches():
    x = bayes_mtj.sample((300, 400), np.random.default_rng(4), dtype=np.float32)
    assert x.dtype == np.float32 and x.shape == (300, 400)
    assert stats.kstest(x.ravel().astype(float), lambda v: bayes_mtj.cdf(v)).pvalue > 1e-3


@settings(max_examples=30, deadline=None)
@given(ratio=st.floats(1.5, 100.0), bits=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_sigma_encoding_within_range_and_counts_clipped(ratio, bits, seed):
    p = P.with_(noise_on_off_ratio=ratio, sigma_bits=bits)
    sig = np.exp(np.random.default_rng(seed).normal(-3, 1.5, 500))
    enc = bayes_mtj.encode_sigma(sig, p)
    lo = enc.sigma_max / ratio
    assert np.all(enc.sigma >= lo * (1 - 1e-9)) and np.all(enc.sigma <= enc.sigma_max * (1 + 1e-9))
    assert len(np.unique(enc.sigma)) <= 2**bits
    outside = np.count_nonzero((sig < lo * (1 - 1e-9)) | (sig > enc.sigma_max * (1 + 1e-9)))
    assert enc.clipped == outside
    # the fitted window holds at least as many sigmas as a window topped at the largest sigma
    naive = np.count_nonzero(sig >= sig.max() / ratio)
    assert enc.total - enc.clipped >= naive


def test_wider_range_clips_fewer():
    sig = np.exp(np.random.default_rng(5).normal(-3, 2.0, 2000))
    counts = [bayes_mtj.encode_sigma(sig, P.with_(noise_on_off_ratio=r)).clipped for r in (2, 5, 10, 38.9, 200)]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]


@settings(max_examples=30, deadline=None)
@given(bits=st.sampled_from([4, 8]), seed=st.integers(0, 10_000))
def test_mu_quantisation_error_and_slices(bits, seed):
    p = P.with_(mu_bits=bits)
    mu = np.random.default_rng(seed).normal(0, 0.3, 400)
    mu_max = np.abs(mu).max()
    mu_q, slices = bayes_mtj.quantize_mu(mu, p, mu_max)
    step = mu_max / (2**bits - 1)
    assert np.max(np.abs(mu_q - mu)) <= step / 2 + 1e-12
    assert len(np.unique(np.abs(mu_q))) <= 2**bits
    assert len(slices) == bits // 4
    recon = sum(d * w for d, w in slices)
    assert np.allclose(recon, mu_q)
    for d, _ in slices:
        assert np.all(np.abs(d) <= 15)


def test_from_chip_reads_spec_fields():
    chip = types.SimpleNamespace(
        bayes_mtj=types.SimpleNamespace(max_noise_conductance=50e-6, noise_on_off_ratio=10.0, noise_fit_a=0.9,
                                        noise_fit_b=0.04, std_ratio=2.3, sigma_bits=3),
        dw_pair=types.SimpleNamespace(notches=16, read_noise_fraction=0.01),
        adc=types.SimpleNamespace(bits=6),
    )
    p = BayesMtjParams.from_chip(chip)
    assert (p.max_noise_conductance_S, p.noise_on_off_ratio, p.fit_a, p.fit_b, p.std_ratio, p.sigma_bits) == (
        50e-6, 10.0, 0.9, 0.04, 2.3, 3)
    assert (p.notches, p.dw_read_noise_fraction, p.adc_bits) == (16, 0.01, 6)
    assert BayesMtjParams.from_chip(types.SimpleNamespace()) == BayesMtjParams()
    with pytest.raises(ValueError):
        BayesMtjParams(mu_bits=6)
    assert P.min_noise_conductance_S == pytest.approx(61.06e-6 / 38.9)
    assert math.isclose(P.max_noise_conductance_S, 61.06e-6)
