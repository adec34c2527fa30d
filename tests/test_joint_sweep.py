"""Joint accuracy-cost sweeps: one accuracy-model run per distinct accuracy-relevant combination, cached on disk,
and a Pareto front in which accuracy is an objective (so the fewest ADC bits no longer win by default)."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from ppa.cli import main
from ppa.errors import PpaError
from ppa.explore import joint
from ppa.explore.sweep import Grid, pareto_mask, run_sweep
from ppa.workload import load_network

NET = load_network("networks/vgg8.yaml")
GRID = Grid(["dw_40nm"], {"subarray.rows": [64, 128], "subarray.columns_per_adc": [8, 16], "adc.bits": [4, 6, 8]})


@pytest.fixture
def fake_model(monkeypatch, tmp_path):
    """A stand-in accuracy model that records its calls: accuracy rises with ADC bits, as Table VII's does."""
    monkeypatch.setenv("PPA_CACHE_DIR", str(tmp_path / "cache"))
    calls = []

    def accuracy(params, seed):
        calls.append(params)
        return 0.1 + 0.1 * params["adc_bits"]

    monkeypatch.setitem(joint.MODELS, "qnn", (joint.qnn_parameters, accuracy))
    return calls


def test_one_model_run_per_distinct_accuracy_combination(fake_model):
    result = run_sweep(NET, GRID, accuracy="qnn")
    assert len(result) == GRID.size == 12
    assert sorted(p["adc_bits"] for p in fake_model) == [4, 6, 8]      # rows and sharing do not enter accuracy
    assert {p["states"] for p in fake_model} == {5}                       # Table VIII's five states
    assert np.allclose(result["accuracy"], 0.1 + 0.1 * result["adc.bits"])


def test_cached_on_disk_and_invalidated_by_a_code_change(fake_model, monkeypatch):
    run_sweep(NET, GRID, accuracy="qnn")
    run_sweep(NET, GRID, accuracy="qnn")
    assert len(fake_model) == 3                                          # the second sweep reads the cache
    monkeypatch.setattr(joint, "code_version", lambda: "another model")
    run_sweep(NET, GRID, accuracy="qnn")
    assert len(fake_model) == 6


def test_accuracy_is_a_pareto_objective(fake_model):
    plain = run_sweep(NET, GRID)
    joint_front = run_sweep(NET, GRID, accuracy="qnn")
    # cost alone: every Pareto point has the fewest ADC bits; with accuracy the 8-bit points join the front
    assert set(plain.loc[plain["pareto"], "adc.bits"]) == {4}
    assert {4, 8} <= set(joint_front.loc[joint_front["pareto"], "adc.bits"])
    objectives = np.column_stack([joint_front[c] for c in ("area_m2", "latency_s", "energy_j")] + [-joint_front["accuracy"]])
    assert np.array_equal(joint_front["pareto"].to_numpy(), pareto_mask(objectives))


def test_min_accuracy_filters_before_the_front(fake_model):
    result = run_sweep(NET, GRID, accuracy="qnn", min_accuracy=0.65)
    assert set(result["adc.bits"]) == {6, 8}
    assert result.attrs["below_min_accuracy"] == 4


def test_min_accuracy_without_a_model_is_refused():
    with pytest.raises(PpaError, match="min_accuracy"):
        run_sweep(NET, GRID, min_accuracy=0.5)


def test_cli_joint_sweep_and_report(fake_model, tmp_path):
    grid = tmp_path / "g.yaml"
    grid.write_text("device: [dw_40nm]\nadc.bits: [4, 8]\nsubarray.columns_per_adc: [8, 16]\n")
    out = tmp_path / "r.csv"
    run = CliRunner().invoke(main, ["sweep", "networks/vgg8.yaml", "--grid", str(grid), "--accuracy", "qnn",
                                    "--min-accuracy", "0.8", "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert "2 points below --min-accuracy 0.8" in run.output
    report = tmp_path / "r.md"
    run = CliRunner().invoke(main, ["report", "sweep", "--results", str(out), "--format", "markdown", "-o", str(report)])
    assert run.exit_code == 0, run.output
    assert "accuracy (%)" in report.read_text()


# ---------------------------------------------------------------- --accuracy bnn: probabilistic designs

PMAC_GRID = Grid(["pmac_40nm"], {"subarray.rows": [64, 128], "adc.bits": [4, 8],
                                 "device.bayes_mtj.sigma_bits": [2, 4], "device.bayes_mtj.noise_on_off_ratio": [5.0, 38.9]})
LENET = load_network("networks/lenet5.yaml")


@pytest.fixture
def fake_bnn(monkeypatch, tmp_path):
    """A stand-in BNN model that records its calls and returns an accuracy and an ECE, both set by the sigma bits."""
    monkeypatch.setenv("PPA_CACHE_DIR", str(tmp_path / "cache"))
    calls = []

    def metrics(params, seed):
        calls.append(params)
        return {"accuracy": 0.5 + 0.1 * params["sigma_bits"], "ece": 0.1 / params["sigma_bits"]}

    monkeypatch.setitem(joint.MODELS, "bnn", (joint.bnn_parameters, metrics))
    return calls


def test_bnn_one_run_per_distinct_combination_from_swept_and_base_values(fake_bnn):
    result = run_sweep(LENET, PMAC_GRID, accuracy="bnn")
    assert len(result) == PMAC_GRID.size == 16
    assert len(fake_bnn) == 8                                             # subarray rows do not enter accuracy
    assert {(p["adc_bits"], p["sigma_bits"], p["on_off_ratio"]) for p in fake_bnn} == \
        {(a, s, r) for a in (4, 8) for s in (2, 4) for r in (5.0, 38.9)}
    # unswept fields come from hwspecs/pmac_40nm.yaml
    assert {(p["mu_bits"], p["notches"], p["dw_read_noise_fraction"]) for p in fake_bnn} == {(4, 16, 0.00335)}
    assert np.allclose(result["accuracy"], 0.5 + 0.1 * result["device.bayes_mtj.sigma_bits"])
    assert np.allclose(result["ece"], 0.1 / result["device.bayes_mtj.sigma_bits"])
    run_sweep(LENET, PMAC_GRID, accuracy="bnn")
    assert len(fake_bnn) == 8                                             # both metrics read back from the cache


def test_bnn_pareto_is_over_accuracy_not_ece(fake_bnn):
    result = run_sweep(LENET, PMAC_GRID, accuracy="bnn")
    objectives = np.column_stack([result[c] for c in ("area_m2", "latency_s", "energy_j")] + [-result["accuracy"]])
    assert np.array_equal(result["pareto"].to_numpy(), pareto_mask(objectives))
    # the cost model does not see sigma bits; accuracy does, so only 4-bit-sigma points are optimal
    assert set(result.loc[result["pareto"], "device.bayes_mtj.sigma_bits"]) == {4}


def test_each_accuracy_model_refuses_the_other_kind_of_device(fake_bnn):
    with pytest.raises(PpaError, match="bayes_dw_pair.*not device kind 'dw_mtj'"):
        run_sweep(NET, GRID, accuracy="bnn")
    with pytest.raises(PpaError, match="use --accuracy bnn"):
        run_sweep(LENET, PMAC_GRID, accuracy="qnn")


def test_probabilistic_designs_sweep_in_inference_only(fake_bnn):
    with pytest.raises(PpaError, match="(?i)training"):
        run_sweep(LENET, PMAC_GRID, mode="training", accuracy="bnn")
    assert fake_bnn == []


def test_cli_bnn_sweep_adds_accuracy_and_ece(fake_bnn, tmp_path):
    grid = tmp_path / "g.yaml"
    grid.write_text("device: [pmac_40nm]\nadc.bits: [4, 8]\ndevice.bayes_mtj.sigma_bits: [2, 4]\n")
    out = tmp_path / "r.csv"
    run = CliRunner().invoke(main, ["sweep", "networks/lenet5.yaml", "--grid", str(grid), "--accuracy", "bnn",
                                    "--min-accuracy", "0.8", "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert "2 points below --min-accuracy 0.8" in run.output
    import pandas as pd

    table = pd.read_csv(out)
    assert set(table["device.bayes_mtj.sigma_bits"]) == {4} and {"accuracy", "ece"} <= set(table.columns)
    report = tmp_path / "r.md"
    run = CliRunner().invoke(main, ["report", "sweep", "--results", str(out), "--format", "markdown", "-o", str(report)])
    assert run.exit_code == 0, run.output
    header = next(line for line in report.read_text().splitlines() if line.startswith("| point |"))
    assert header.endswith("| accuracy (%) | ECE (%) |") and "| ece |" not in header   # a result, not a swept field


def test_real_bnn_sweep_sigma_precision_matters(monkeypatch, tmp_path):
    """One seeded run of the real model on 2 points: with a 38.9 on/off ratio, 1 bit of sigma (two V_bi levels,
    sec. 3.0.3) cannot hold the trained sigmas, so the network loses accuracy and, above all, calibration."""
    from ppa.accuracy import experiments_bnn

    monkeypatch.setenv("PPA_CACHE_DIR", str(tmp_path / "cache"))
    grid = Grid(["pmac_40nm"], {"device.bayes_mtj.sigma_bits": [1, 4]})
    result = run_sweep(LENET, grid, accuracy="bnn").set_index("device.bayes_mtj.sigma_bits")
    assert result.loc[1, "accuracy"] < result.loc[4, "accuracy"]
    assert result.loc[1, "ece"] > 2 * result.loc[4, "ece"]
    # the trained network read back from the disk cache gives the same numbers as the freshly trained one
    assert len(list((tmp_path / "cache" / "bnn_nets").glob("*.npz"))) == 1
    monkeypatch.setattr(experiments_bnn, "_TRAINED", {})

    def no_training(*a, **k):
        raise AssertionError("retrained although the trained network is on disk")

    monkeypatch.setattr(experiments_bnn.bnn, "train", no_training)
    again = experiments_bnn.bnn_metrics_for(8, 4, seed=0)
    assert again == {"accuracy": result.loc[4, "accuracy"], "ece": result.loc[4, "ece"]}


@pytest.mark.parametrize("kw, field", [({"sigma_bits": 0}, "sigma_bits"), ({"mu_bits": 6}, "mu_bits"),
                                       ({"on_off_ratio": 0.5}, "on_off_ratio"), ({"adc_bits": 2.5}, "adc_bits")])
def test_bnn_model_refuses_bad_parameters_before_training(kw, field, monkeypatch):
    from ppa.accuracy import experiments_bnn

    monkeypatch.setattr(experiments_bnn, "trained_digits_bnn", lambda *a, **k: pytest.fail("trained"))
    args = {"adc_bits": 8, "sigma_bits": 4, **kw}
    with pytest.raises(PpaError, match=field):
        experiments_bnn.bnn_metrics_for(**args)


def test_cli_names_the_grid_line_of_a_value_the_bnn_model_cannot_take(fake_bnn, tmp_path):
    grid = tmp_path / "g.yaml"
    grid.write_text("device: [pmac_40nm]\ndevice.dw_pair.mu_bits: [4, 6]\n")
    run = CliRunner().invoke(main, ["sweep", "networks/lenet5.yaml", "--grid", str(grid), "--accuracy", "bnn"])
    assert run.exit_code == 2
    assert f"{grid}:2: device.dw_pair.mu_bits:" in run.output and "multiple of log2(notches)" in run.output
    assert "Traceback" not in run.output and fake_bnn == []
