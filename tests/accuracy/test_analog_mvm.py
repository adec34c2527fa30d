"""Crossbar description and the fast analog MVM (issue 17 items 1-2): encodings, noise paths, ADC, IR drop."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from ppa.accuracy import analog_mvm as A
from ppa.spec.crossbar import crossbar_from_dict, load_crossbar
from ppa.errors import PpaError

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "hwspecs" / "crossbar_balanced_8b.yaml"


def _spec(**over):
    base = {"kind": "crossbar", "name": "t", "encoding": "balanced_pair", "weight_bits": 8,
            "device": {"r_min": "1 kohm", "r_max": "10 kohm"}}
    for k, v in over.items():
        base[k] = v
    return crossbar_from_dict(base)


def _run(spec, n, exact, seed=0, batch=256):
    w, x, rng = A.benchmark_inputs(n, batch, seed)
    prog = A.program(w, spec, rng)
    return A.nrmse(A.mvm(prog, x, rng, exact=exact), w.astype(np.float64) @ x)


def test_shipped_spec_is_short_and_reaches_the_crosssim_figures():
    assert len(SHIPPED.read_text().splitlines()) <= 20
    spec = load_crossbar("crossbar_balanced_8b")
    assert spec.levels == 128 and spec.device.g_max == pytest.approx(1e-3)
    # CrossSim 3.2.0 on the same configuration: 0.135 (N=128), 0.138 (N=1024)
    assert _run(spec, 128, exact=False) == pytest.approx(0.135, abs=0.01)
    # the seeded check: default (output-referred) and --exact (every device per MVM), N=128, seed 0
    assert _run(spec, 128, exact=False) == pytest.approx(_run(spec, 128, exact=True), abs=0.005)
    assert _run(spec, 1024, exact=False) == pytest.approx(0.138, abs=0.01)


@pytest.mark.parametrize("variation,encoding", [
    (None, "balanced_pair"),                                                    # the shipped configuration
    ({"read_noise": {"sigma": 0.05, "relative_to": "g_max"}}, "balanced_pair"),  # read noise dominates
    ({"read_noise": {"sigma": 0.08, "relative_to": "state"}}, "balanced_pair"),  # state-proportional: (G*G)(x*x)
    ({"read_noise": {"sigma": 0.04, "relative_to": "g_max"}}, "offset"),          # shared reference column
    ({"read_noise": {"sigma": 0.08, "relative_to": "state"}}, "offset"),
], ids=["shipped", "abs", "state", "offset-abs", "offset-state"])
def test_output_referred_read_noise_matches_per_device_draws(variation, encoding):
    spec = load_crossbar("crossbar_balanced_8b") if variation is None else \
        _spec(encoding=encoding, variation=variation, adc={"bits": None})
    fast = [_run(spec, 96, exact=False, seed=s, batch=128) for s in range(3)]
    exact = [_run(spec, 96, exact=True, seed=s, batch=128) for s in range(3)]
    assert np.mean(fast) == pytest.approx(np.mean(exact), abs=0.005)
    if variation is not None:   # the noise is what is being compared: it must be well above quantisation
        assert np.mean(fast) > 0.05


def test_read_noise_on_a_pair_has_variance_two_sigma_squared_x_squared():
    spec = _spec(variation={"read_noise": {"sigma": 0.05, "relative_to": "g_max"}})
    w, x, rng = A.benchmark_inputs(64, 512, 1)
    prog = A.program(w, spec, rng)
    err = A.mvm(prog, x, rng) - A.mvm(A.program(w, _spec(), rng), x, rng)
    # weight units: sigma in G_max over (1 - G_min/G_max) per w_max
    expected = np.sqrt(2) * 0.05 / 0.9 * np.abs(w).max() * np.sqrt((x * x).sum(axis=0))
    assert np.std(err / expected) == pytest.approx(1.0, rel=0.03)


def test_encodings_without_noise_give_the_quantised_product():
    w, x, _ = A.benchmark_inputs(64, 32, 3)
    q = np.rint(w / np.abs(w).max() * 127) * np.abs(w).max() / 127
    want = q.astype(np.float64) @ x
    outs = {}
    for enc, extra in (("balanced_pair", {}), ("offset", {"device": {"r_min": "1 kohm", "r_max": "10 kohm"}}),
                       ("bit_sliced", {"slices": 2})):
        spec = _spec(encoding=enc, **extra)
        outs[enc] = A.mvm(A.program(w, spec, np.random.default_rng(0)), x, np.random.default_rng(0))
        assert np.abs(outs[enc] - want).max() < 1e-3 * np.abs(want).max(), enc
    # bit slicing splits 7 magnitude bits into two 4-bit devices
    assert _spec(encoding="bit_sliced", slices=2).bits_per_device_needed == 4


def test_adc_styles():
    z = np.linspace(-1.0, 1.0, 100_001, dtype=np.float32)
    sm = A.adc(z, 8, 1.0, "sign_magnitude")
    mr = A.adc(z, 8, 1.0, "mid_rise")
    assert len(np.unique(sm)) == 255 and 0.0 in sm
    assert len(np.unique(mr)) == 256 and 0.0 not in mr
    assert np.abs(sm - z).max() <= 0.5 / 127 + 1e-6
    # the range from the noisy values is never smaller than from the ideal ones
    spec_i = load_crossbar("crossbar_balanced_8b")
    spec_n = spec_i.model_copy(update={"adc": spec_i.adc.model_copy(update={"range": "noisy", "per": "column"})})
    assert abs(_run(spec_n, 64, False) - _run(spec_i, 64, False)) < 0.01


def test_drift_scales_conductances_by_the_power_law():
    spec = _spec(variation={"drift": {"nu": 0.1, "t0": "1 s", "time": "10 s"}})
    w, x, _ = A.benchmark_inputs(32, 16, 0)
    y0 = A.mvm(A.program(w, _spec(), np.random.default_rng(0)), x, np.random.default_rng(0))
    y1 = A.mvm(A.program(w, spec, np.random.default_rng(0)), x, np.random.default_rng(0))
    assert np.median(y1 / y0) == pytest.approx(10 ** -0.1, rel=1e-3)


def test_retention_moves_notch_states_only_when_escapes_are_likely():
    states = [f"{g} uS" for g in np.linspace(10, 160, 16)]
    dev = {"states": states, "retention": {"temperature": 300, "time": "1 s"}}
    w, x, _ = A.benchmark_inputs(32, 8, 0)
    base = _spec(weight_bits=5, device={"states": states})
    y0 = A.mvm(A.program(w, base, np.random.default_rng(0)), x, np.random.default_rng(0))
    cool = A.mvm(A.program(w, _spec(weight_bits=5, device=dev), np.random.default_rng(0)), x, np.random.default_rng(0))
    hot_dev = {**dev, "retention": {"temperature": 700, "time": "1 year"}}
    hot = A.mvm(A.program(w, _spec(weight_bits=5, device=hot_dev), np.random.default_rng(0)), x, np.random.default_rng(0))
    assert np.array_equal(cool, y0)            # t_r at 300 K is ~1e14 years
    assert A.nrmse(hot, y0) > 0.05             # at 700 K nearly every wall escapes within a year


def test_first_order_ir_drop_within_5_percent_of_nodal_solve():
    rng = np.random.default_rng(0)
    g = rng.uniform(0.1, 1.0, (64, 64))
    v = rng.uniform(-1.0, 1.0, (64, 16))
    r = 1e-4                                    # 0.1 ohm segments with 1 kohm cells
    exact = A.nodal_currents(g, v, r)

    def err(y):
        return np.linalg.norm(y - exact) / np.linalg.norm(exact)

    assert err(g.T @ v) > 0.10                 # the wires matter here...
    assert err((g * A.ir_drop_factor(g, r)).T @ v) < 0.05   # ...and the first-order model follows them
    # and through the crossbar model: a balanced pair with wires, no noise, vs nodal solves of both arrays
    spec = _spec(wires={"segment_resistance": "0.1 ohm"})
    w, x, _ = A.benchmark_inputs(64, 16, 2)
    prog = A.program(w, spec, np.random.default_rng(0))
    s = prog.slices[0]
    y = A.mvm(prog, x, np.random.default_rng(0))
    nodal = (A.nodal_currents(s.pos.T.astype(float), x.astype(float), r)
             - A.nodal_currents(s.neg.T.astype(float), x.astype(float), r))
    ideal = A.mvm(A.program(w, _spec(), np.random.default_rng(0)), x, np.random.default_rng(0))
    nodal_w = nodal / (0.9 / 127) * prog.scale
    assert A.nrmse(ideal, nodal_w) > 0.05
    assert A.nrmse(y, nodal_w) < 0.05


@pytest.mark.parametrize("text,field,needle,line", [
    ("kind: crossbar\nname: x\nencoding: balanced_pair\nweight_bits: 8\ndevice:\n  r_min: 1 kohm\n  r_max: 10 kohm\n  bits: 6\n",
     "device.bits", "needs 7 bits per device", 8),
    ("kind: crossbar\nname: x\nencoding: balanced_pair\nweight_bits: 8\ndevice:\n  r_min: 10 kohm\n  r_max: 1 kohm\n",
     "device.r_min", "must be below r_max", 6),
    ("kind: crossbar\nname: x\nencoding: balanced_pair\nweight_bits: 8\ndevice: {r_min: 1 kohm, r_max: 10 kohm}\n"
     "adc:\n  bitz: 8\n", "adc.bitz", "did you mean 'bits'", 7),
    ("kind: crossbar\nname: x\nencoding: pairs\nweight_bits: 8\ndevice: {r_min: 1 kohm, r_max: 10 kohm}\n",
     "encoding", "'offset', 'balanced_pair' or 'bit_sliced'", 3),
    ("kind: crossbar\nname: x\nencoding: offset\nweight_bits: 8\ndevice: {r_min: 1 kohm, r_max: 10 s}\n",
     "device.r_max", "not a quantity in ohm", 5),
    ("kind: crossbar\nname: x\nencoding: offset\nweight_bits: 8\ndevice: {r_min: 1 kohm, r_max: 10 kohm}\n"
     "variation:\n  read_noise: {sigma: -1}\n", "variation.read_noise.sigma", "expected a value at least 0 and at most 10", 7),
])
def test_bad_crossbar_is_one_line_at_file_line_field(tmp_path, text, field, needle, line):
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(PpaError) as err:
        load_crossbar(p)
    msg = str(err.value)
    assert needle in msg and f"bad.yaml:{line}:" in msg and "\n" not in msg
    if field:
        assert err.value.field == field


def test_cli_json_and_bad_input(tmp_path):
    from ppa.cli import main

    res = CliRunner().invoke(main, ["accuracy", "mvm", str(SHIPPED), "--size", "64", "--batch", "32",
                                    "--repeats", "1", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert set(out) >= {"nrmse", "seconds_per_call", "peak_bytes"}
    assert 0.1 < out["nrmse"] < 0.2 and out["peak_bytes"] > 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: crossbar\nname: x\nencoding: offset\nweight_bits: 8\ndevice: {r_min: 1 kohm}\n")
    proc = subprocess.run([sys.executable, "-m", "ppa", "accuracy", "mvm", str(bad)], capture_output=True, text=True,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "bad.yaml:5:" in proc.stderr and "r_max" in proc.stderr


def test_offset_over_listed_states_takes_the_nearest_signed_state():
    states = [3.3e-5, 7.8e-5, 12.3e-5, 16.9e-5, 21.2e-5]          # Dhull Table VIII
    spec = crossbar_from_dict({"kind": "crossbar", "name": "dw", "encoding": "offset", "device": {"states": states}})
    w, x, _ = A.benchmark_inputs(48, 16, 5)
    y = A.mvm(A.program(w, spec, np.random.default_rng(0)), x, np.random.default_rng(0))
    signed = (np.array(states) - (states[0] + states[-1]) / 2) / max(abs(states[0] - states[-1]) / 2, 1e-30)
    wq = signed[np.abs(w[..., None] / np.abs(w).max() - signed).argmin(axis=-1)] * np.abs(w).max()
    assert np.allclose(y, wq.astype(np.float64) @ x, atol=1e-4 * np.abs(y).max())
    assert len(np.unique(np.round(wq, 6))) == 5     # all five notches are used, unevenly spaced as measured


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "hwspecs").glob("crossbar_*.yaml")))
def test_every_shipped_crossbar_runs_both_read_noise_paths(name):
    spec = load_crossbar(name)
    fast, exact = _run(spec, 64, False, batch=64), _run(spec, 64, True, batch=64)
    assert 0.0 < fast < 0.6 and fast == pytest.approx(exact, abs=0.01)


def test_dac_bits_add_input_quantisation():
    w, x, _ = A.benchmark_inputs(64, 64, 0)
    ideal = A.mvm(A.program(w, _spec(), np.random.default_rng(0)), x, np.random.default_rng(0))
    coarse = A.mvm(A.program(w, _spec(dac={"bits": 3}), np.random.default_rng(0)), x, np.random.default_rng(0))
    ref = w.astype(np.float64) @ x
    # 3 signed bits: steps of 1/3, uniform inputs -> relative input error sqrt((1/9)/12 / (1/3)) = 0.17
    assert A.nrmse(coarse, ref) == pytest.approx(0.17, abs=0.03) and A.nrmse(ideal, ref) < 0.01


def test_analog_matrix_is_used_like_a_matrix():
    w, x, _ = A.benchmark_inputs(32, 8, 0)
    a = A.AnalogMatrix(w, load_crossbar("crossbar_balanced_8b"), seed=1)
    assert a.shape == (32, 32)
    y1, y2 = a @ x[:, 0], a @ x[:, 0]
    assert y1.shape == (32,) and not np.array_equal(y1, y2)          # read noise is redrawn on every MVM
    assert A.nrmse(a @ x, w.astype(np.float64) @ x) == pytest.approx(0.14, abs=0.04)


def test_nodal_solve_of_one_cell_is_the_series_circuit():
    g, r, v = 0.7, 0.05, 0.3
    # driver segment, cell, sense segment in series: I = V / (2 r + 1 / G)
    assert A.nodal_currents(np.array([[g]]), np.array([v]), r)[0] == pytest.approx(v / (2 * r + 1 / g), rel=1e-12)
    # one row of two cells: the far cell sees the drop of both cells' current through the first row segment
    i = A.nodal_currents(np.array([[g, g]]), np.array([v]), 1e-6)
    assert i[0] > i[1] and i.sum() == pytest.approx(2 * g * v, rel=1e-4)
