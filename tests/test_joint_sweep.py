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
