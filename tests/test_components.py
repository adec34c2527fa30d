"""Component registry and the physics of single components."""

from __future__ import annotations

import pytest

from ppa.cost.components import component, registry
from ppa.cost.components.synapses import DwMtjCell
from ppa.errors import PpaError
from ppa.spec import load_chip


def test_registry_finds_builtins_and_suggests():
    assert component("adc").__name__ == "SarAdc"
    assert "current_conveyor" in registry()
    with pytest.raises(PpaError, match="did you mean 'adc'"):
        component("adcc")


def test_dw_write_energy_follows_joule_heating():
    dev = load_chip("dw_40nm").device
    cell = DwMtjCell.from_spec(dev)
    # I = J w t_HM, R = rho L / (w t_HM): doubling the pulse doubles the energy, doubling J quadruples it
    longer = DwMtjCell.from_spec(dev.model_copy(update={"write_pulse": 2 * dev.write_pulse}))
    stronger = DwMtjCell.from_spec(dev.model_copy(update={"write_current_density": 2 * dev.write_current_density}))
    assert longer.write_energy == pytest.approx(2 * cell.write_energy)
    assert stronger.write_energy == pytest.approx(4 * cell.write_energy)
    assert cell.write_current == pytest.approx(90e10 * 60e-9 * dev.heavy_metal_thickness)


def test_dw_read_energy_scales_with_conductance_and_voltage_squared():
    dev = load_chip("dw_40nm").device
    cell = DwMtjCell.from_spec(dev)
    doubled = DwMtjCell.from_spec(dev.model_copy(update={"read_voltage": 2 * dev.read_voltage}))
    assert doubled.read_energy() == pytest.approx(4 * cell.read_energy())
    assert cell.mean_conductance == pytest.approx(sum(dev.conductances) / 5)
