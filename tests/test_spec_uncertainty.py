"""Uncertain spec values, Monte Carlo estimates, shared draws in comparisons, sweeps with uncertainty, sensitivity."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

import ppa
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ppa.cli import main
from ppa.cost.estimate import AREA_CATEGORIES, CATEGORIES, estimate
from ppa.errors import PpaError
from ppa.explore.sensitivity import elasticities, first_order_sobol, numeric_fields, sensitivity, uncertain_units
from ppa.explore.uncertainty import compare_uncertain, interval, sample_estimate, validate_draws
from ppa.spec import load_chip
from ppa.spec.distributions import distributions_of, draw
from ppa.workload import load_network

ROOT = Path(__file__).resolve().parent.parent
HW = ROOT / "hwspecs"
NET = load_network(ROOT / "networks" / "vgg8.yaml")


def spec(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"extends: {HW / 'dw_40nm.yaml'}\n" + text)
    return path


# ------------------------------------------------------------------ parsing


def test_inline_forms_load_their_nominal_value_in_si(tmp_path):
    p = spec(tmp_path, "technology:\n  adc_walden_fom: {value: 8 fJ, spread: 30 %}\n"
                       "  adc_cycle_time: {low: 100 ps, high: 200 ps}\n"
                       "  vdd: {value: 0.9 V, sigma: 30 mV}\n"
                       "subarray: {rows: {low: 64, high: 192}}\n")
    chip = load_chip(p)
    d = distributions_of(chip)
    assert chip.technology.adc_walden_fom == pytest.approx(8e-15)
    assert chip.technology.adc_cycle_time == pytest.approx(150e-12)          # middle of the uniform range
    assert chip.subarray.rows == 128 and isinstance(chip.subarray.rows, int)
    assert d["technology.adc_walden_fom"].kind == "lognormal" and d["technology.adc_walden_fom"].spread == 0.3
    assert d["technology.adc_cycle_time"].low == pytest.approx(100e-12) and d["technology.adc_cycle_time"].high == pytest.approx(200e-12)
    assert d["technology.vdd"].sigma == pytest.approx(0.03)
    assert d["subarray.rows"].integer
    assert d["technology.adc_walden_fom"].file.endswith("spec.yaml") and d["technology.adc_walden_fom"].line == 3


def test_uncertainty_block_keeps_the_value_line_and_applies_to_siblings(tmp_path):
    p = spec(tmp_path, "device:\n  read_pulse: 2 ns\n  uncertainty:\n    read_pulse: {sigma: 10 %}\n")
    chip = load_chip(p)
    d = distributions_of(chip)["device.read_pulse"]
    assert chip.device.read_pulse == pytest.approx(2e-9)
    assert d.kind == "normal" and d.sigma == pytest.approx(2e-10)
    # the shipped technology spreads come along through extends, located in tech_40nm.yaml
    fom = distributions_of(chip)["technology.adc_walden_fom"]
    assert Path(fom.file).name == "tech_40nm.yaml"


def test_a_plain_value_overrides_an_inherited_inline_distribution_and_zero_pins_a_spread(tmp_path):
    base = spec(tmp_path, "technology:\n  mac_energy: {value: 0.2 pJ, spread: 45 %}\n", "base.yaml")
    assert distributions_of(load_chip(base))["technology.mac_energy"].spread == 0.45     # inline wins over the block
    over = tmp_path / "over.yaml"
    over.write_text(f"extends: {base}\ntechnology:\n  mac_energy: 0.3 pJ\n  uncertainty: {{adc_walden_fom: 0}}\n")
    chip = load_chip(over)
    d = distributions_of(chip)
    # the inline distribution is gone; the technology file's own spread (20 %) applies to the new value
    assert d["technology.mac_energy"].spread == 0.2 and d["technology.mac_energy"].nominal == pytest.approx(0.3e-12)
    assert chip.technology.mac_energy == pytest.approx(0.3e-12)
    draws = draw(d, 50, seed=1)
    assert np.all(draws["technology.adc_walden_fom"] == chip.technology.adc_walden_fom)


def test_plain_specs_are_unchanged_by_their_spreads():
    chip = load_chip("dw_40nm")
    assert chip.technology.adc_walden_fom == pytest.approx(6.4e-15)
    assert len(distributions_of(chip)) >= 15
    assert all(d.spread > 0 and d.line for d in distributions_of(chip).values())


@pytest.mark.parametrize("text, message", [
    ("technology:\n  mac_energy: {value: 0.2 pJ, spread: -5 %}\n", "relative spread"),
    ("technology:\n  mac_energy: {value: 0.2 pJ, spred: 5 %}\n", "expected a distribution"),
    ("technology:\n  mac_energy: {low: 0.3 pJ, high: 0.2 pJ}\n", "high < low"),
    ("technology:\n  mac_energy: {low: 0.1 pJ, high: 2 ns}\n", "high of the distribution"),
    ("technology:\n  uncertainty: {mac_energi: 5 %}\n", "no field 'mac_energi'"),
    ("technology:\n  uncertainty: {mac_energy: lots}\n", "expected a spread"),
])
def test_bad_distributions_name_file_line_and_field(tmp_path, text, message):
    p = spec(tmp_path, text)
    with pytest.raises(PpaError) as err:
        load_chip(p)
    assert message in str(err.value)
    assert err.value.file and err.value.file.endswith("spec.yaml") and err.value.line is not None
    r = CliRunner().invoke(main, ["estimate", str(ROOT / "networks" / "vgg8.yaml"), "--hw", str(p), "--uncertainty", "10"])
    assert r.exit_code == 2 and "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


def test_every_draw_is_validated_through_the_model(tmp_path):
    # neighbouring conductance states with wide independent spreads cross in some draws: refused, located
    p = spec(tmp_path, "device:\n  conductances: [3.3e-5 S, 7.8e-5 S, 12.3e-5 S, {value: 16.9e-5 S, spread: 60 %}, 21.2e-5 S]\n")
    with pytest.raises(PpaError) as err:
        sample_estimate(NET, load_chip(p), "training", 500)
    assert "breaks the spec" in err.value.message and "ascending" in err.value.message
    assert err.value.file.endswith("spec.yaml") and err.value.line == 3


def test_a_spread_on_a_list_moves_its_elements_together(tmp_path):
    """One draw scales every conductance state: their ratios stay, so even a wide spread keeps them ascending."""
    p = spec(tmp_path, "device:\n  conductances: [3.3e-5 S, 7.8e-5 S, 12.3e-5 S, 16.9e-5 S, 21.2e-5 S]\n"
                       "  uncertainty: {conductances: 60 %}\n")
    chip = load_chip(p)
    d = distributions_of(chip)
    states = [f"device.conductances.{i}" for i in range(5)]
    assert all(d[s].group == "device.conductances" for s in states)
    x = draw(d, 300, seed=5)
    g = np.array([x[s] for s in states]) / np.array(chip.device.conductances)[:, None]
    np.testing.assert_allclose(g, np.broadcast_to(g[0], g.shape), rtol=1e-12)
    assert np.std(np.log(g[0])) > 0.3
    sample_estimate(NET, chip, "training", 300, seed=5)          # every draw validates: the states stay ascending
    with pytest.raises(PpaError, match="a list takes"):
        load_chip(spec(tmp_path, "device:\n  conductances: [3.3e-5 S, 7.8e-5 S, 12.3e-5 S, 16.9e-5 S, 21.2e-5 S]\n"
                       "  uncertainty: {conductances: {low: 1e-5 S, high: 2e-4 S}}\n", "bad.yaml"))


# ------------------------------------------------------------------ sampling


@settings(max_examples=30, deadline=None)
@given(kind=st.sampled_from(["lognormal", "normal", "uniform"]), width=st.floats(0.0, 3.0), seed=st.integers(0, 2**31))
def test_draws_stay_in_the_fields_physical_range_and_pass_validation(tmp_path_factory, kind, width, seed):
    """A Fraction field (0 <= x <= 1) with any spread: every draw is truncated into [0, 1] and validates."""
    form = {"lognormal": f"{{value: 0.5, spread: {width}}}", "normal": f"{{value: 0.5, sigma: {width}}}",
            "uniform": f"{{low: {max(0.0, 0.5 - width / 6)}, high: {min(1.0, 0.5 + width / 6)}}}"}[kind]
    p = spec(tmp_path_factory.mktemp("f"), f"precision:\n  input_mean_square: {form}\n")
    chip = load_chip(p)
    d = distributions_of(chip)
    x = draw(d, 200, seed)["precision.input_mean_square"]
    assert np.all((x >= 0.0) & (x <= 1.0))
    validate_draws(chip, {"precision.input_mean_square": x}, {"precision.input_mean_square": d["precision.input_mean_square"]})


def test_lognormal_median_is_the_value_and_relative_sigma_the_spread(tmp_path):
    chip = load_chip(spec(tmp_path, "technology:\n  mac_energy: {value: 0.2 pJ, spread: 30 %}\n"))
    x = draw({"m": distributions_of(chip)["technology.mac_energy"]}, 40_000, seed=3)["m"]
    assert np.median(x) == pytest.approx(0.2e-12, rel=0.01)
    assert np.std(x) / np.mean(x) == pytest.approx(0.30, rel=0.04)


def test_same_seed_same_draws_other_seed_other_draws():
    d = distributions_of(load_chip("dw_40nm"))
    a, b, c = draw(d, 64, 7), draw(d, 64, 7), draw(d, 64, 8)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["technology.adc_walden_fom"], c["technology.adc_walden_fom"])


def test_zero_spread_reproduces_the_plain_estimate_exactly(dw):
    plain = estimate(NET, dw, "training")
    mc = sample_estimate(NET, dw, "training", 16, scale=0.0)
    for q in ("energy_j", "latency_s"):
        wide = plain.per_layer(q)
        for c in CATEGORIES:
            assert np.array_equal(getattr(mc, q)[c], np.broadcast_to(wide[c].to_numpy(), (16, len(wide))))
        s = mc.summary()["per_image"][q]["total"]
        assert s["p5"] == s["p50"] == s["p95"] == pytest.approx(plain.totals(q)["total"], rel=1e-14)
    for c in (*AREA_CATEGORIES, "total"):
        assert np.all(mc.area_m2[c] == plain.area_m2[c])


def test_intervals_widen_with_the_spread(dw):
    widths = []
    for scale in (0.25, 0.5, 1.0, 2.0):
        mc = sample_estimate(NET, dw, "training", 400, seed=2, scale=scale)
        s = mc.summary()
        widths.append([s["per_image"]["energy_j"]["total"]["p95"] - s["per_image"]["energy_j"]["total"]["p5"],
                       s["per_image"]["latency_s"]["total"]["p95"] - s["per_image"]["latency_s"]["total"]["p5"],
                       s["area_m2"]["total"]["p95"] - s["area_m2"]["total"]["p5"]])
    widths = np.array(widths)
    assert np.all(np.diff(widths, axis=0) > 0)


def test_intervals_contain_the_median_and_the_nominal(dw):
    s = sample_estimate(NET, dw, "training", 500).summary()
    plain = estimate(NET, dw, "training")
    for q in ("energy_j", "latency_s"):
        for c, iv in s["per_image"][q].items():
            assert iv["p5"] <= iv["p50"] <= iv["p95"]
        assert s["per_image"][q]["total"]["p5"] < plain.totals(q)["total"] < s["per_image"][q]["total"]["p95"]


def test_ratio_interval_of_designs_sharing_a_technology_is_narrower(dw, sram):
    shared = compare_uncertain(NET, [dw, sram], "training", 800, seed=4)
    apart = compare_uncertain(NET, [dw, sram], "training", 800, seed=4, share=False)
    for q, ratio in (("area_m2", "area_ratio"), ("energy_j", "energy_ratio"), ("latency_s", "latency_ratio")):
        d, s, r = shared[0][q], shared[1][q], shared[1][ratio]
        naive = (s["p95"] / d["p5"]) / (s["p5"] / d["p95"])            # the naive product of the two intervals
        assert r["p95"] / r["p5"] < naive
        assert r["p95"] / r["p5"] < apart[1][ratio]["p95"] / apart[1][ratio]["p5"]


# ------------------------------------------------------------------ sensitivity


def test_elasticity_of_adc_energy_to_the_fom_is_its_share_and_one_without_the_cycle_term(tmp_path, dw):
    e = elasticities(NET, dw, "training", ["technology.adc_walden_fom"], outputs=("energy_j.adc",))
    t, b = dw.technology, dw.adc.bits
    thermal = t.adc_thermal_energy_8b * 10 ** (0.602 * (b - 8))      # the Schreier term (issue #10)
    share = t.adc_walden_fom * 2**b / (t.adc_walden_fom * 2**b + t.adc_cycle_energy * (b + 1) + thermal)
    assert e["elasticity_energy_j.adc"][0] == pytest.approx(share, abs=1e-6)
    pure = load_chip(spec(tmp_path, "technology:\n  adc_cycle_energy: 1e-40 J\n  adc_thermal_energy_8b: 1e-40 J\n"))
    e = elasticities(NET, pure, "training", ["technology.adc_walden_fom"], outputs=("energy_j.adc",))
    assert abs(e["elasticity_energy_j.adc"][0] - 1.0) < 1e-6


def test_elasticities_follow_the_power_laws(dw):
    """Cell read energy ~ V^2 G t: the voltage's elasticity is twice the pulse's (the row drive dilutes both alike);
    weight-gradient latency ~ clock period, and does not depend on the read voltage."""
    e = elasticities(NET, dw, "training", ["device.read_voltage", "device.read_pulse", "technology.clock_period"],
                     outputs=("energy_j.synaptic_array", "latency_s.weight_gradient")).set_index("field")
    v, t = e.loc["device.read_voltage"], e.loc["device.read_pulse"]
    assert v["elasticity_energy_j.synaptic_array"] == pytest.approx(2 * t["elasticity_energy_j.synaptic_array"], rel=1e-6)
    assert 0 < t["elasticity_energy_j.synaptic_array"] < 1
    assert e.loc["technology.clock_period", "elasticity_latency_s.weight_gradient"] == pytest.approx(1.0, abs=1e-6)
    assert v["elasticity_latency_s.weight_gradient"] == 0.0


def test_first_order_sobol_matches_a_linear_model():
    rng = np.random.default_rng(11)
    a = np.array([1.0, 0.5, 0.2, 0.0])
    x = rng.normal(size=(4000, 4))
    y = x @ a
    s = [first_order_sobol(x[:, i], y) for i in range(4)]
    np.testing.assert_allclose(s, a**2 / np.sum(a**2), atol=0.04)


def test_sensitivity_ranks_the_dominant_constants(dw):
    # leakage off: with it the read pulse also sets how long the chip leaks, the conductances do not
    dw = dw.model_copy(update={"leakage": dw.leakage.model_copy(update={"enabled": False})})
    res = sensitivity(NET, dw, "training", 600, seed=1)
    t = res.table.set_index("field")
    assert set(uncertain_units(distributions_of(dw))) == set(t.index[t["uncertain"]])
    from ppa.explore.sensitivity import COUNTING_FIELDS

    assert set(numeric_fields(dw)) - COUNTING_FIELDS <= set(t.index)
    # the states follow G ~ 1/RA (Table VIII's parametric form): read energy ~ G t_read, so RA answers like -t_read
    assert t.loc["device.resistance_area_product", "elasticity_energy_j"] == pytest.approx(
        -t.loc["device.read_pulse", "elasticity_energy_j"], rel=1e-6)
    # the weight-gradient MAC energy is ~60 % of the training energy and carries a 20 % spread: it leads the Sobol ranking
    assert t["sobol_energy_j"].idxmax() == "technology.mac_energy"
    # latency: only the SAR cycle and the read pulse of the uncertain constants scale a latency term
    top = t["sobol_latency_s"].sort_values(ascending=False).index[:2]
    assert set(top) == {"technology.adc_cycle_time", "device.read_pulse"}
    # the tornado swing agrees in sign with the elasticity
    for f in ("technology.mac_energy", "technology.adc_area_fixed"):
        assert t.loc[f, "high_energy_j"] > res.nominal["energy_j"] > t.loc[f, "low_energy_j"]


# ------------------------------------------------------------------ sweeps and CLI


def test_sweep_with_zero_spread_has_point_intervals_and_certain_pareto(tmp_path):
    from ppa.explore.sweep import Grid, run_sweep

    keys = distributions_of(load_chip("dw_40nm"))
    block = {sec: "".join(f"    {k.split('.', 1)[1]}: 0\n" for k in keys if k.startswith(sec + ".")) for sec in ("technology", "device")}
    p = tmp_path / "pinned.yaml"
    p.write_text(f"extends: {HW / 'dw_40nm.yaml'}\ntechnology:\n  uncertainty:\n{block['technology']}"
                 f"device:\n  uncertainty:\n{block['device']}")
    assert all(d.spread == 0 for d in distributions_of(load_chip(p)).values())
    grid = Grid([str(p)], {"subarray.rows": [64, 128], "adc.bits": [5, 8]})
    res = run_sweep(NET, grid, "training", uncertainty=20)
    assert np.array_equal(res["pareto_probability"].to_numpy(), res["pareto"].to_numpy(dtype=float))
    np.testing.assert_allclose(res["energy_j_p50"], res["energy_j"], rtol=1e-12)
    assert np.all(res["area_m2_p5"] == res["area_m2_p95"])


def test_sweep_with_uncertainty_marks_probable_pareto_points():
    from ppa.explore.sweep import Grid, run_sweep

    grid = Grid(["dw_40nm", "sram3b_40nm"], {"adc.bits": [5, 8], "subarray.columns_per_adc": [8, 16]})
    res = run_sweep(NET, grid, "training", uncertainty=100)
    assert ((res["pareto_probability"] >= 0) & (res["pareto_probability"] <= 1)).all()
    assert (res["pareto_robust"] == (res["pareto_probability"] >= 0.5)).all()
    assert (res["energy_j_p5"] <= res["energy_j_p50"]).all() and (res["energy_j_p50"] <= res["energy_j_p95"]).all()
    assert res["pareto_robust"].any()
    from ppa.report.documents import sweep_context

    assert sweep_context(res)["params"] == ["device", "adc.bits", "subarray.columns_per_adc"]   # intervals are results


def test_cli_estimate_json_and_table_with_uncertainty():
    net = str(ROOT / "networks" / "vgg8.yaml")
    r = CliRunner().invoke(main, ["estimate", net, "--mode", "training", "--uncertainty", "200", "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    u = out["uncertainty"]
    assert u["samples"] == 200
    iv = u["per_image"]["energy_j"]["total"]
    assert iv["p5"] < out["per_image"]["energy_j"]["total"] < iv["p95"]
    assert set(u["area_m2"]) == set(out["area_m2"])
    r = CliRunner().invoke(main, ["estimate", net, "--mode", "training", "--uncertainty", "--seed", "3"])
    assert r.exit_code == 0 and "over 1,000 samples" in r.output and " [" in r.output


def test_cli_compare_and_sensitivity(tmp_path):
    net = str(ROOT / "networks" / "vgg8.yaml")
    r = CliRunner().invoke(main, ["compare", net, "--hw", "dw_40nm", "--hw", "sram_40nm", "--uncertainty", "200", "--format", "json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)["uncertainty"]["designs"][1]
    assert d["area_ratio"]["p5"] < json.loads(r.output)["designs"][1]["area_ratio"] < d["area_ratio"]["p95"]
    html = tmp_path / "s.html"
    r = CliRunner().invoke(main, ["sensitivity", net, "--hw", "dw_40nm", "--uncertainty", "200", "--format", "json",
                                  "--report", str(html)])
    assert r.exit_code == 0, r.output
    fields = {f["field"]: f for f in json.loads(r.output[r.output.index("{"):])["fields"]}
    assert fields["technology.adc_walden_fom"]["sobol_energy_j"] is not None
    text = html.read_text()
    assert "<svg" in text and "mac_energy" in text
    r = CliRunner().invoke(main, ["estimate", net, "--hw", "pmac_40nm", "--uncertainty", "10"])
    assert r.exit_code == 2


def _of_unit(model, alias, prefix: str) -> list[str]:
    """Dotted paths of the fields of `model` declared with the unit alias (Joules, Seconds, SquareMeters)."""
    marker = alias.__metadata__[0]
    return [f"{prefix}.{name}" for name, info in type(model).model_fields.items() if any(m is marker for m in info.metadata)]


@pytest.mark.parametrize("name", ["dw_40nm", "sram_40nm"])
def test_elasticities_obey_eulers_theorem(name):
    """Energy is homogeneous of degree 1 in the per-action energies (J fields, wire and bit-line capacitance, cell
    conductance, heavy-metal resistivity), latency in the time constants, area in the areas with the wire pitch at
    degree 1/2 (H-tree sides grow as sqrt(area)): each set's elasticities sum to 1 (Euler)."""
    from ppa.spec.units import Joules, Seconds, SquareMeters

    chip = load_chip(name)
    dev = chip.device
    energy = _of_unit(chip.technology, Joules, "technology") + _of_unit(dev, Joules, "device") + ["technology.wire_capacitance"]
    # issue #10: DRAM energy per bit, and leakage (power x time) in the static powers
    energy += ["offchip.energy_per_bit", "technology.cmos_leakage_density", "technology.sram_cell_leakage"]
    energy += ([f"device.conductances.{i}" for i in range(len(dev.conductances))] + ["device.heavy_metal_resistivity"]
               if dev.kind == "dw_mtj" else ["device.bitline_capacitance_per_cell"])
    latency = _of_unit(chip.technology, Seconds, "technology") + _of_unit(dev, Seconds, "device") + _of_unit(chip.subarray, Seconds, "subarray")
    area = _of_unit(chip.technology, SquareMeters, "technology") + _of_unit(dev, SquareMeters, "device")
    e = elasticities(NET, chip, "training", sorted(set(energy + latency + area + ["technology.wire_pitch", "offchip.bandwidth"]))).set_index("field")
    e = e.fillna(0.0)
    assert e.loc[energy, "elasticity_energy_j"].sum() == pytest.approx(1.0, abs=1e-6)
    # DRAM time is bits / bandwidth: a bandwidth is an inverse time constant
    assert e.loc[latency, "elasticity_latency_s"].sum() - e.loc["offchip.bandwidth", "elasticity_latency_s"] == pytest.approx(1.0, abs=1e-6)
    assert e.loc[area, "elasticity_area_m2"].sum() + 0.5 * e.loc["technology.wire_pitch", "elasticity_area_m2"] == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("net_name", ["vgg8", "vit_tiny16"])
def test_sampled_points_price_like_estimate(net_name):
    """The array path the Monte Carlo and the elasticities use gives estimate()'s totals, digital layers included
    (a per-point sum spread over the layer axis once multiplied a category by the number of layers)."""
    from ppa.explore.uncertainty import sample_points
    from ppa.workload import load_network as load

    net, chip = load(net_name), load_chip("dw_40nm")
    est = ppa.estimate(net, chip, "inference")
    energy, latency, _ = sample_points(net, chip, {"technology.vdd": np.full(3, chip.technology.vdd)}, "inference", 3)
    for parts, q in ((energy, "energy_j"), (latency, "latency_s")):
        got = sum(np.sum(v, axis=-1) for v in parts.values())
        assert np.allclose(got, est.totals(q)["total"], rtol=1e-9)


def test_activity_reaches_the_samples_and_unsampled_overrides_are_refused():
    """--activity changes the Monte Carlo like the nominal estimate; --no-offchip/--dataflow/--duty-cycle, which the
    samples could not honour, are refused with --uncertainty rather than mixing two models in one output."""
    from click.testing import CliRunner

    from ppa.cli import main

    def run(*extra):
        out = CliRunner().invoke(main, ["estimate", "networks/vgg8.yaml", "--uncertainty", "200", "--format", "json", *extra])
        return out.exit_code, (json.loads(out.output) if out.exit_code == 0 else out.output)

    _, full = run()
    _, quiet = run("--activity", "0.25")
    ratio_nominal = quiet["per_image"]["energy_j"]["total"] / full["per_image"]["energy_j"]["total"]
    ratio_median = quiet["uncertainty"]["per_image"]["energy_j"]["total"]["p50"] / full["uncertainty"]["per_image"]["energy_j"]["total"]["p50"]
    assert ratio_nominal < 0.9 and ratio_median == pytest.approx(ratio_nominal, rel=0.05)
    code, text = run("--no-offchip")
    assert code == 2 and "--no-offchip cannot be combined with --uncertainty" in text
