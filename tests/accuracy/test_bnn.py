"""Numpy BNN, its spintronic mapping, and the issue's claims on a seeded run (SAND2022-13142 sec. 3.0.2-3.0.5)."""

import json
import os

import numpy as np
import pytest
from click.testing import CliRunner

from ppa.accuracy import bnn
from ppa.accuracy import experiments_bnn as E
from ppa.accuracy.bayes_mtj import BayesMtjParams

# stated margins: the spintronic BNN stays within these of the software BNN (in distribution)
SPIN_ACCURACY_MARGIN = 0.02  # 2 percentage points
SPIN_ECE_MARGIN = 0.02  # 2 percentage points of ECE
SAMPLES_ECE_NOISE = 0.01  # more samples may not raise ECE by more than 1 point (Monte Carlo noise)


def _loss(net, x, y, seed, kl_scale, prior):
    out, _ = bnn._forward_train(net, x, np.random.default_rng(seed))
    p = bnn.softmax(out)
    ce = -np.log(p[np.arange(len(y)), y]).mean()
    kl = sum(bnn.kl_gaussian(l.mu, l.sigma, prior) for l in net.layers if l.rho is not None)
    return ce + kl_scale * kl


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    net = bnn.init_mlp((5, 4, 3), rng, bayesian=True, rho_init=-1.0)
    x, y = rng.normal(size=(6, 5)), rng.integers(0, 3, 6)
    out, cache = bnn._forward_train(net, x, np.random.default_rng(7))
    p = bnn.softmax(out)
    g = p.copy()
    g[np.arange(6), y] -= 1
    grads = bnn._backward(net, cache, g / 6)
    for li, (dmu, drho, db) in enumerate(grads):
        layer = net.layers[li]
        for arr, grad in ((layer.mu, dmu), (layer.rho, drho), (layer.b, db)):
            for idx in [(0,) * arr.ndim, tuple(s - 1 for s in arr.shape)]:
                old = arr[idx]
                arr[idx] = old + 1e-6
                up = _loss(net, x, y, 7, 0.0, 1.0)
                arr[idx] = old - 1e-6
                down = _loss(net, x, y, 7, 0.0, 1.0)
                arr[idx] = old
                assert grad[idx] == pytest.approx((up - down) / 2e-6, rel=1e-4, abs=1e-8)


def test_adc_levels_and_error():
    z = np.linspace(-1.2, 1.2, 10_001)
    q = bnn.adc(z, 4, 1.0)
    assert len(np.unique(q)) == 16
    inside = np.abs(z) <= 1.0
    assert np.max(np.abs(q[inside] - z[inside])) <= 1.0 / 15 + 1e-12
    assert np.max(np.abs(q)) <= 1.0


def _one_layer(sigma_value=0.1, mu_value=0.3):
    mu = np.full((4, 3), mu_value)
    mu[0, 0] = 1.0  # sets mu_max
    layer = bnn.Layer(mu, np.zeros(3), np.log(np.expm1(np.full((4, 3), sigma_value))))
    return bnn.Mlp([layer], bayesian=True, task="regression")


def test_spintronic_noise_is_redrawn_every_mvm_with_eq_3_6_std():
    net = _one_layer()
    p = BayesMtjParams()
    hw = bnn.map_to_hardware(net, p, first_layer_deterministic=False)
    x = np.zeros((4000, 4))
    x[:, 1] = 1.0  # every row reads weight (1, 0): mu 0.3, sigma 0.1
    out = bnn.predict_spintronic(hw, x, 2, np.random.default_rng(0))  # (2, 4000)
    enc_sigma = hw.layers[0].sigma_encoding.sigma[1, 0]
    expected = np.sqrt(hw.layers[0].read_var[1, 0] + (p.std_ratio * p.shape_std * enc_sigma) ** 2)
    assert out.std() == pytest.approx(expected, rel=0.03)
    assert out.mean() == pytest.approx(hw.layers[0].mu_q[1, 0], abs=3 * expected / np.sqrt(8000))
    # different inputs of the same batch see independent noise (fresh draw per MVM)...
    assert abs(np.corrcoef(out[0, :-1], out[0, 1:])[0, 1]) < 0.06
    # ...whereas the software BNN shares one weight draw across the batch
    sw = bnn.predict_software(net, x, 2, np.random.default_rng(0))
    assert np.allclose(sw[0], sw[0, 0])


def test_first_layer_deterministic_and_quantised_mu():
    rng = np.random.default_rng(1)
    net = bnn.init_mlp((8, 6, 3), rng, bayesian=True, rho_init=-3.0)
    hw = bnn.map_to_hardware(net, BayesMtjParams(), first_layer_deterministic=True)  # the paper's mapping, forced
    assert hw.layers[0].noise_scale is None and hw.layers[1].noise_scale is not None
    assert hw.sigma_total == 6 * 3
    for hl, layer in zip(hw.layers, net.layers):
        assert len(np.unique(np.abs(hl.mu_q))) <= 16
        assert np.max(np.abs(hl.mu_q - layer.mu)) <= np.abs(layer.mu).max() / 30 + 1e-12
    # with the Bayes-MTJ off and the read noise off, repeated passes are identical
    x = rng.random((5, 8))
    quiet = bnn.map_to_hardware(bnn.Mlp([bnn.Layer(l.mu, l.b, None) for l in net.layers], False),
                                BayesMtjParams(dw_read_noise_fraction=0.0))
    out = bnn.predict_spintronic(quiet, x, 3, rng)
    assert np.allclose(out[0], out[1])
    # 8-bit bit slicing is closer to the float means than 4 bits
    hw8 = bnn.map_to_hardware(net, BayesMtjParams(mu_bits=8), first_layer_deterministic=True)
    assert np.abs(hw8.layers[1].mu_q - net.layers[1].mu).max() < np.abs(hw.layers[1].mu_q - net.layers[1].mu).max()


def test_adc_path_runs_and_stays_close():
    rng = np.random.default_rng(2)
    net = bnn.init_mlp((8, 6, 3), rng, bayesian=False)
    x = rng.random((50, 8))
    ideal = bnn.map_to_hardware(net, BayesMtjParams(dw_read_noise_fraction=0.0))
    with_adc = bnn.map_to_hardware(net, BayesMtjParams(dw_read_noise_fraction=0.0, adc_bits=8), calibration_x=x)
    a = bnn.predict_spintronic(ideal, x, 1, rng)
    b = bnn.predict_spintronic(with_adc, x, 1, rng)
    assert np.abs(a - b).max() < 0.02
    with pytest.raises(ValueError):
        bnn.map_to_hardware(net, BayesMtjParams(adc_bits=8))


@pytest.fixture(scope="module")
def run():
    return E.run_bnn(samples=50, seed=0, regression=False, config=E.ClassifierConfig(ood_pairs=200, ood_samples=20))


def test_json_shape(run):
    text = json.dumps(run)  # plain JSON types only
    assert json.loads(text)["dnn"].keys() >= {"accuracy", "ece"}
    assert run["bnn_spintronic"].keys() >= {"accuracy", "ece", "sigma_clipped_fraction"}
    assert [r["fraction"] for r in run["ood"]] == [round(0.1 * i, 1) for i in range(10)]
    for r in run["ood"]:
        assert r.keys() >= {"fraction", "dnn_ece", "bnn_software_ece", "bnn_spintronic_ece", "bnn_spintronic_epistemic"}
    assert "photographs" in run["ood_set"]["description"]


def test_bnn_better_calibrated_than_dnn_in_distribution(run):
    assert run["bnn_software"]["ece"] < run["dnn"]["ece"]
    assert run["dnn"]["accuracy"] > 0.93 and run["bnn_software"]["accuracy"] > 0.93


def test_spintronic_within_margin_of_software(run):
    sw, hw = run["bnn_software"], run["bnn_spintronic"]
    assert abs(hw["accuracy"] - sw["accuracy"]) <= SPIN_ACCURACY_MARGIN
    assert abs(hw["ece"] - sw["ece"]) <= SPIN_ECE_MARGIN
    assert 0.0 <= hw["sigma_clipped_fraction"] <= 0.05  # paper: 99.5 % of sigmas fit the range


def test_epistemic_grows_with_ood_fraction(run):
    for key in ("bnn_spintronic_epistemic", "bnn_software_epistemic"):
        e = np.array([r[key] for r in run["ood"]])
        assert e[5:].mean() > 3 * e[0]
        assert e[-1] > e[0]
        rank = np.corrcoef(np.argsort(np.argsort(e)), np.arange(len(e)))[0, 1]  # Spearman
        assert rank > 0.7
    assert all(r["bnn_spintronic_epistemic"] >= 0 for r in run["ood"])


def test_bnns_better_calibrated_out_of_distribution(run):
    dnn = np.mean([r["dnn_ece"] for r in run["ood"]])
    assert np.mean([r["bnn_software_ece"] for r in run["ood"]]) < dnn
    assert np.mean([r["bnn_spintronic_ece"] for r in run["ood"]]) < dnn


def test_more_samples_do_not_worsen_ece(run):
    sweep = run["samples_sweep"]
    assert sweep[0]["samples"] == 1 and sweep[-1]["samples"] == 50
    for key in ("bnn_software_ece", "bnn_spintronic_ece"):
        assert sweep[-1][key] <= sweep[0][key] + SAMPLES_ECE_NOISE


def test_on_off_sweep_clips_less_with_wider_range(run):
    clip = [r["sigma_clipped_fraction"] for r in run["on_off_sweep"]]
    assert clip == sorted(clip, reverse=True) and clip[0] > 0.2


def test_cli_bnn_prints_one_json_object(run, monkeypatch):
    from ppa.cli import main

    monkeypatch.setattr(E, "run_bnn", lambda **kw: run)
    res = CliRunner().invoke(main, ["accuracy", "bnn", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["bnn_spintronic"]["sigma_clipped_fraction"] == run["bnn_spintronic"]["sigma_clipped_fraction"]
    for fmt in ("table", "markdown"):
        res = CliRunner().invoke(main, ["accuracy", "bnn", "--format", fmt])
        assert res.exit_code == 0 and "ECE" in res.output


def test_regression_coverage():
    r = E.run_regression(samples=100, seed=0)
    assert r["bnn_software"]["rmse_mpg"] < 5.0  # target std is ~7.8 mpg
    assert r["bnn_software"]["coverage_error"] < 0.08
    # Auto MPG's first-layer sigmas are large (median sigma/max|mu| ~0.7), so the data keeps its Bayes-MTJs
    assert not r["first_layer"]["deterministic"] and r["first_layer"]["median_sigma_over_mu_max"] > 0.2
    assert r["bnn_spintronic"]["coverage_error"] < 0.1
    cov = [c["bnn_software"] for c in r["coverage"]]
    assert cov == sorted(cov)  # nested intervals


def test_from_chip_params_reach_the_mapping():
    import types

    chip = types.SimpleNamespace(bayes_mtj=types.SimpleNamespace(noise_on_off_ratio=2.0, sigma_bits=2),
                                 dw_pair=types.SimpleNamespace(notches=16, read_noise_fraction=0.0), adc=None)
    p = BayesMtjParams.from_chip(chip)
    net = bnn.init_mlp((4, 5, 3), np.random.default_rng(0), bayesian=True, rho_init=-3.0)
    net.layers[1].rho[:] = np.random.default_rng(1).normal(-4, 2, net.layers[1].rho.shape)
    hw = bnn.map_to_hardware(net, p)
    assert len(np.unique(hw.layers[1].sigma_encoding.sigma)) <= 4
    assert hw.sigma_clipped > 0
    assert np.all(hw.layers[0].read_var == 0)


@pytest.mark.skipif(not os.environ.get("PPA_SLOW_TESTS"), reason="about a minute; set PPA_SLOW_TESTS=1")
def test_bnn_better_calibrated_than_dnn_over_seeds():
    """In-distribution ECE averaged over seeds 0-7: single seeds flip (per-seed ECE noise ~0.4 pt at 540 images)."""
    from ppa.accuracy import uncertainty as U
    from ppa.accuracy.datasets import load_digits

    cfg = E.ClassifierConfig()
    d_ece, b_ece = [], []
    for seed in range(8):
        sp = load_digits(test_fraction=cfg.test_fraction, seed=seed)
        xtr, xte = sp.x_train.reshape(len(sp.x_train), -1), sp.x_test.reshape(len(sp.x_test), -1)
        rng = np.random.default_rng(seed)
        sizes = (64, *cfg.hidden, 10)
        kw = {"epochs": cfg.epochs, "batch": cfg.batch, "lr": cfg.lr}
        d = bnn.train(bnn.init_mlp(sizes, rng, False), xtr, sp.y_train, rng, **kw)
        b = bnn.train(bnn.init_mlp(sizes, rng, True), xtr, sp.y_train, rng, kl_weight=cfg.kl_weight, **kw)
        d_ece.append(U.ece(bnn.predict_deterministic(d, xte), sp.y_test))
        b_ece.append(U.ece(bnn.predict_software(b, xte, 100, rng), sp.y_test))
    assert np.mean(b_ece) < np.mean(d_ece)


def test_ideal_device_reproduces_software_predictive_distribution():
    """With unlimited precision/range, no read noise and the exact Eq. 3.6 constant, hardware == software BNN."""
    rng = np.random.default_rng(0)
    net = bnn.init_mlp((6, 24, 8, 1), rng, True, "regression", rho_init=-0.5)
    x = rng.normal(size=(20, 6))
    p = BayesMtjParams()
    ideal = p.with_(mu_bits=16, sigma_bits=16, noise_on_off_ratio=1e6, std_ratio=p.exact_std_ratio,
                    dw_read_noise_fraction=0.0)
    sw = bnn.predict_software(net, x, 3000, rng)
    hw = bnn.predict_spintronic(bnn.map_to_hardware(net, ideal, first_layer_deterministic=False), x, 3000, rng)
    assert hw.std(axis=0).mean() == pytest.approx(sw.std(axis=0).mean(), rel=0.05)
    assert np.abs(hw.mean(axis=0) - sw.mean(axis=0)).mean() < 0.1 * sw.std(axis=0).mean()
    # the paper's 2.379 (vs 2.328 exact) widens every noisy layer by 2.2 %
    wide = bnn.predict_spintronic(bnn.map_to_hardware(net, ideal.with_(std_ratio=2.379),
                                                      first_layer_deterministic=False), x, 3000, rng)
    assert wide.std(axis=0).mean() > hw.std(axis=0).mean()


def test_first_layer_follows_the_data():
    rng = np.random.default_rng(3)
    net = bnn.init_mlp((16, 8, 3), rng, bayesian=True, rho_init=-12.0)  # sigma ~6e-6: "almost zero", as in the paper
    assert bnn.small_sigma_threshold(BayesMtjParams()) == pytest.approx(1 / 30)
    small = bnn.map_to_hardware(net, BayesMtjParams())
    assert small.first_layer["deterministic"] and small.first_layer["decided_by"] == "data"
    assert small.layers[0].noise_scale is None
    net.layers[0].rho[:] = np.log(np.expm1(0.2 * np.abs(net.layers[0].mu).max()))  # sigma = 0.2 max|mu|
    large = bnn.map_to_hardware(net, BayesMtjParams())
    assert not large.first_layer["deterministic"] and large.layers[0].noise_scale is not None
    assert large.first_layer["median_sigma_over_mu_max"] == pytest.approx(0.2, rel=1e-6)
    assert bnn.map_to_hardware(net, BayesMtjParams(), first_layer_deterministic=True).layers[0].noise_scale is None


def test_output_referred_sampler_has_the_exact_variance_of_the_per_device_sum():
    rng = np.random.default_rng(4)
    net = bnn.init_mlp((64, 8), rng, bayesian=True, task="regression")
    net.layers[0].rho[:] = np.log(np.expm1(rng.uniform(0.02, 0.3, (64, 8))))
    hw = bnn.map_to_hardware(net, BayesMtjParams(dw_read_noise_fraction=0.0), first_layer_deterministic=False)
    x = np.tile(rng.random((1, 64)), (20_000, 1))
    fast = bnn._noisy_mvm(x, hw.layers[0], hw.params, np.random.default_rng(5))
    exact = bnn._noisy_mvm(x, hw.layers[0], hw.params, np.random.default_rng(6), exact=True)
    want = hw.params.shape_std * np.sqrt((x[0] ** 2) @ hw.layers[0].noise_var)
    assert np.allclose(fast.std(axis=0), want, rtol=0.03) and np.allclose(exact.std(axis=0), want, rtol=0.03)
    assert np.allclose(fast.mean(axis=0), exact.mean(axis=0), atol=0.05 * want.max())


def test_output_referred_and_exact_sampler_agree_on_a_trained_network():
    from ppa.accuracy import uncertainty as U
    from ppa.accuracy.datasets import load_digits

    sp = load_digits(test_fraction=0.3, seed=0)
    xtr, xte = sp.x_train.reshape(len(sp.x_train), -1), sp.x_test.reshape(len(sp.x_test), -1)
    rng = np.random.default_rng(0)
    net = bnn.train(bnn.init_mlp((64, 32, 10), rng, True), xtr, sp.y_train, rng, epochs=60, batch=64, lr=2e-3,
                    kl_weight=0.02)
    hw = bnn.map_to_hardware(net, BayesMtjParams())
    assert not hw.first_layer["deterministic"]  # digits' first-layer sigmas are not small
    fast = bnn.predict_spintronic(hw, xte, 60, np.random.default_rng(1))
    exact = bnn.predict_spintronic(hw, xte, 60, np.random.default_rng(2), exact=True)
    assert U.accuracy(fast, sp.y_test) == pytest.approx(U.accuracy(exact, sp.y_test), abs=0.01)
    assert U.ece(fast, sp.y_test) == pytest.approx(U.ece(exact, sp.y_test), abs=0.01)
    ef, ee = U.decompose(fast).epistemic.mean(), U.decompose(exact).epistemic.mean()
    assert ef == pytest.approx(ee, rel=0.1)
    # half out of distribution, where the Bayes-MTJ noise carries most of the uncertainty
    xb = 0.5 * xte[:300] + 0.5 * E.ood_patches(300, np.random.default_rng(3))
    ef = U.decompose(bnn.predict_spintronic(hw, xb, 60, np.random.default_rng(4))).epistemic.mean()
    ee = U.decompose(bnn.predict_spintronic(hw, xb, 60, np.random.default_rng(5), exact=True)).epistemic.mean()
    quiet = bnn.map_to_hardware(net, BayesMtjParams(), first_layer_deterministic=True)
    eq = U.decompose(bnn.predict_spintronic(quiet, xb, 60, np.random.default_rng(4))).epistemic.mean()
    assert ef == pytest.approx(ee, rel=0.1) and abs(ef - ee) < 0.3 * abs(ee - eq)


def test_seed_summary_reports_mean_and_spread(run):
    import copy

    other = copy.deepcopy(run)
    other["data"]["seed"] = 1
    other["bnn_spintronic"]["ece"] = run["bnn_spintronic"]["ece"] + 0.02
    o = E.summarise_seeds([run, other])
    ece = o["in_distribution"]["bnn_spintronic"]["ece"]
    assert ece["mean"] == pytest.approx(run["bnn_spintronic"]["ece"] + 0.01)
    assert ece["std"] == pytest.approx(0.02 / np.sqrt(2))
    assert o["seeds"] == [0, 1] and o["spintronic_ece_below_software"]["of"] == 2
    assert [r["fraction"] for r in o["ood"]] == [r["fraction"] for r in run["ood"]]
    assert o["ood"][5]["bnn_spintronic_epistemic"]["std"] == 0.0


def test_crossbar_description_sets_the_dw_pair():
    from ppa.accuracy.bayes_mtj import CrossbarNotModelled
    from ppa.spec.crossbar import crossbar_from_dict, load_crossbar

    f = BayesMtjParams.fields_from_crossbar(load_crossbar("crossbar_balanced_8b"))
    assert f["notches"] == 128 and f["mu_bits"] == 7 and f["adc_bits"] == 8 and f["adc_style"] == "sign_magnitude"
    assert f["dw_read_noise_fraction"] == pytest.approx(0.01 / 0.9)       # sigma G_max over the range 0.9 G_max
    assert f["dw_program_error_fraction"] == pytest.approx(0.05 / 0.9)
    p = BayesMtjParams().with_(**f)
    # the programming error is a fixed draw per device: mu_q moves by sqrt(2) x error per weight, once
    net = bnn.init_mlp((200, 100), np.random.default_rng(0), bayesian=False)
    clean = bnn.map_to_hardware(net, p.with_(dw_program_error_fraction=0.0, adc_bits=None))
    noisy = bnn.map_to_hardware(net, p.with_(adc_bits=None), rng=np.random.default_rng(1))
    per_notch = np.abs(net.layers[0].mu).max() / 127
    assert np.std(noisy.layers[0].mu_q - clean.layers[0].mu_q) == pytest.approx(
        np.sqrt(2) * f["dw_program_error_fraction"] * 127 * per_notch, rel=0.02)
    base = {"kind": "crossbar", "name": "x", "encoding": "balanced_pair", "weight_bits": 8,
            "device": {"r_min": "1 kohm", "r_max": "10 kohm"}}
    for extra, field in (({"encoding": "offset"}, "encoding"),
                         ({"variation": {"drift": {"nu": 0.1}}}, "variation.drift"),
                         ({"variation": {"read_noise": 0.01}}, "variation.read_noise.relative_to"),
                         ({"dac": {"bits": 8}}, "dac.bits"),
                         ({"adc": {"bits": 8, "range": "noisy"}}, "adc.range")):
        with pytest.raises(CrossbarNotModelled) as err:
            BayesMtjParams.fields_from_crossbar(crossbar_from_dict({**base, **extra}))
        assert err.value.field == field


def test_cli_bnn_crossbar(monkeypatch, run):
    from ppa.cli import main

    seen = {}

    def fake(**kw):
        seen.update(kw)
        return run

    monkeypatch.setattr(E, "run_bnn_seeds", fake)
    res = CliRunner().invoke(main, ["accuracy", "bnn", "--crossbar", "crossbar_balanced_8b", "--seeds", "1"])
    assert res.exit_code == 0, res.output
    assert seen["device"].notches == 128 and seen["device"].adc_style == "sign_magnitude"
    assert "DW pair and ADC from crossbar crossbar_balanced_8b" in res.output
    res = CliRunner().invoke(main, ["accuracy", "bnn", "--crossbar", "crossbar_dw_offset"])
    assert res.exit_code == 2 and "encoding: not modelled by the probabilistic cell" in res.output
