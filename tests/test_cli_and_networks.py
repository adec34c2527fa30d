"""CLI output contracts and network readers (YAML and NeuroSim NetWork.csv)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ppa.cli import main
from ppa.cost.estimate import CATEGORIES, estimate
from ppa.workload import load_network, read_neurosim_csv

VGG8_NETWORK_CSV = """32,32,3,3,3,128,0,1
32,32,128,3,3,128,1,1
16,16,128,3,3,256,0,1
16,16,256,3,3,256,1,1
8,8,256,3,3,512,0,1
8,8,512,3,3,512,1,1
1,1,8192,1,1,1024,0,1
1,1,1024,1,1,10,0,1
"""


def test_estimate_json_is_one_object_with_layers_summing_to_totals():
    result = CliRunner().invoke(main, ["estimate", "networks/vgg8.yaml", "--mode", "training", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"network", "hardware", "mode", "area_m2", "per_image", "layers"} <= set(data)
    assert data["mode"] == "training" and len(data["layers"]) == 8
    for q in ("latency_s", "energy_j"):
        assert set(CATEGORIES) | {"total"} <= set(data["per_image"][q])
        layer_sum = sum(layer[q]["total"] for layer in data["layers"])
        assert layer_sum == pytest.approx(data["per_image"][q]["total"], rel=1e-9)
    assert data["area_m2"]["total"] == pytest.approx(sum(v for k, v in data["area_m2"].items() if k != "total"))


def test_epochs_scale_the_run():
    runner = CliRunner()
    one = json.loads(runner.invoke(main, ["estimate", "networks/vgg8.yaml", "--mode", "training", "--format", "json"]).output)
    run = json.loads(runner.invoke(main, ["estimate", "networks/vgg8.yaml", "--mode", "training", "--epochs", "2", "--format", "json"]).output)
    assert run["images"] == 100_000
    assert run["run"]["energy_j"]["total"] == pytest.approx(100_000 * one["per_image"]["energy_j"]["total"])


def test_compare_json_ratios_relative_to_first():
    result = CliRunner().invoke(main, ["compare", "networks/vgg8.yaml", "--hw", "sram_40nm", "--hw", "dw_40nm", "--format", "json"])
    rows = json.loads(result.output)["designs"]
    assert rows[0]["energy_ratio"] == 1.0 and rows[1]["energy_ratio"] < 0.2


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "latex"])
def test_estimate_table_formats_list_every_layer(fmt):
    result = CliRunner().invoke(main, ["estimate", "networks/vgg8.yaml", "--format", fmt])
    assert result.exit_code == 0
    for name in ("conv1", "conv6", "fc2"):
        assert name in result.output


def test_neurosim_csv_matches_yaml(tmp_path, dw):
    path = tmp_path / "NetWork.csv"
    path.write_text(VGG8_NETWORK_CSV)
    from_csv = read_neurosim_csv(path)
    from_yaml = load_network("networks/vgg8.yaml")
    assert [la.macs for la in from_csv.mvm_layers] == [la.macs for la in from_yaml.mvm_layers]
    a = estimate(from_csv, dw, "training").totals("energy_j")["total"]
    b = estimate(from_yaml, dw, "training").totals("energy_j")["total"]
    assert a == pytest.approx(b)


def test_vgg8_shapes():
    net = load_network("networks/vgg8.yaml")
    assert [la.out_size for la in net.mvm_layers] == [32, 32, 16, 16, 8, 8, 1, 1]
    assert net.mvm_layers[6].in_channels == 8192
    assert net.weights == 12_973_440
