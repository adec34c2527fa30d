"""Sweeps: vectorised results equal one estimate per point; Pareto marking; resume; Dask gives the same table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ppa.cli import main
from ppa.errors import PpaError
from ppa.cost.estimate import estimate
from ppa.workload import load_network
from ppa.spec import load_chip
from ppa.explore.sweep import Grid, design_points, load_grid, pareto_mask, run_sweep

NET = load_network("networks/vgg8.yaml")
SMALL = Grid(["dw_40nm", "sram3b_40nm"], {"subarray.rows": [64, 128], "subarray.columns_per_adc": [8, 16], "adc.bits": [5, 8]})


def one_point(row) -> tuple[float, float, float]:
    chip = load_chip(row["device"])
    data = chip.model_dump()
    for key in SMALL.fields:
        section, name = key.split(".")
        data[section][name] = int(row[key])
    e = estimate(NET, type(chip).model_validate(data), "training")
    return e.area_m2["total"], e.totals("latency_s")["total"], e.totals("energy_j")["total"]


def test_vectorised_sweep_equals_one_estimate_per_point():
    result = run_sweep(NET, SMALL, "training")
    assert len(result) == SMALL.size == 16
    for _, row in result.iterrows():
        area, latency, energy = one_point(row)
        assert row["area_m2"] == pytest.approx(area, rel=1e-12)
        assert row["latency_s"] == pytest.approx(latency, rel=1e-12)
        assert row["energy_j"] == pytest.approx(energy, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=40))
def test_pareto_mask_matches_definition(points):
    values = np.array(points, dtype=float)
    mask = pareto_mask(values, block=7)
    for i, v in enumerate(values):
        dominated = any(np.all(w <= v) and np.any(w < v) for w in values)
        assert mask[i] == (not dominated)


def test_resume_does_not_lose_or_duplicate_rows(tmp_path, monkeypatch):
    out = tmp_path / "results.csv"
    import ppa.explore.sweep as sweep

    calls = {"n": 0}
    real = sweep.evaluate_chunk

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep, "evaluate_chunk", flaky)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(NET, SMALL, "training", out, chunk_size=4)
    assert not out.exists() and len(list((tmp_path / "results.csv.parts").glob("chunk-*.csv"))) == 2
    monkeypatch.setattr(sweep, "evaluate_chunk", real)
    resumed = run_sweep(NET, SMALL, "training", out, chunk_size=4)
    assert list(pd.read_csv(out)["point"]) == list(range(16))
    fresh = run_sweep(NET, SMALL, "training")
    assert np.allclose(resumed["energy_j"], fresh["energy_j"]) and list(resumed["pareto"]) == list(fresh["pareto"])
    assert not (tmp_path / "results.csv.parts").exists()


def test_dask_local_cluster_gives_the_same_table():
    pytest.importorskip("dask.distributed")
    fresh = run_sweep(NET, SMALL, "training", chunk_size=5)
    distributed = run_sweep(NET, SMALL, "training", chunk_size=5, scheduler="local")
    pd.testing.assert_frame_equal(fresh, distributed)


def test_invalid_combinations_are_dropped():
    grid = Grid(["dw_40nm"], {"subarray.columns": [16, 128], "subarray.columns_per_adc": [8, 32]})
    result = run_sweep(NET, grid)
    assert len(result) == 3
    assert not ((result["subarray.columns"] == 16) & (result["subarray.columns_per_adc"] == 32)).any()


def test_points_that_do_not_fit_a_fixed_chip_are_dropped():
    grid = Grid(["dw_40nm"], {"hierarchy.tiles": [8, 1000], "subarray.rows": [64, 256]})
    result = run_sweep(NET, grid)
    assert set(result["hierarchy.tiles"]) == {1000} and len(result) == 2


def test_example_grid_has_at_least_100_points():
    grid = load_grid("hwspecs/grids/dse_example.yaml")
    assert grid.size >= 100 and len(design_points(grid)) == grid.size


@pytest.mark.parametrize("text,message", [
    ("subarray.rws: [64]\n", "did you mean 'subarray.rows'"),
    ("subarray.rows: [64, -1]\n", "expected a whole number from 1 to 65,536"),
    ("adc.bits: 8\n", "non-empty list"),
    ("subarray: [1]\n", "whole section"),
])
def test_bad_grid_names_file_line_key(tmp_path, text, message):
    path = tmp_path / "grid.yaml"
    path.write_text(text)
    with pytest.raises(PpaError) as err:
        run_sweep(NET, load_grid(path))
    assert "grid.yaml:1" in str(err.value) and message in str(err.value)


def test_sweep_cli_writes_csv_with_pareto(tmp_path):
    out = tmp_path / "r.csv"
    result = CliRunner().invoke(main, ["sweep", "networks/vgg8.yaml", "--grid", "hwspecs/grids/dse_example.yaml",
                                       "--mode", "training", "-o", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert len(table) == 120 and table["pareto"].any() and not table["pareto"].all()
