"""Checks at the edges of the cost stage: the arguments of `estimate`, and every priced quantity where pricing
hands over to aggregation (finite and not negative; a failure names the layer, the component and the spec fields
behind it), so no NaN or infinity reaches a total, a table or a file."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ppa.errors import PpaError

#: latency/energy category -> (component, the spec fields that price it)
CATEGORY_SOURCES = {
    "synaptic_array": ("synaptic cells and row drivers", "device.*, technology.dac_energy_per_row, "
                       "technology.wordline_energy, precision.input_mean_square, subarray.*"),
    "adc": ("column ADCs", "adc.bits, technology.adc_walden_fom, technology.adc_cycle_energy, technology.adc_cycle_time"),
    "accumulation": ("shift-add and adder trees", "precision.partial_sum_bits, precision.gradient_bits, "
                     "technology.full_adder_*, technology.register_*, technology.clock_period, training.accumulation_lanes"),
    "weight_gradient": ("weight-gradient MAC lanes", "technology.mac_energy, training.wg_lanes"),
    "weight_update": ("synaptic cell writes", "device.* (write fields), training.update_fraction, training.batch_size"),
    "readout": ("column readout front end", "readout.*, device.read.*, subarray.*"),
    "buffer": ("buffers, incl. the weight-gradient unit's operand staging", "technology.sram_buffer_energy, "
               "technology.clock_period, hierarchy.bus_width"),
    "interconnect": ("H-tree buses", "technology.wire_capacitance, technology.wire_pitch, technology.vdd, hierarchy.*"),
    "offchip": ("off-chip memory traffic", "offchip.energy_per_bit, offchip.bandwidth"),
    "leakage": ("static power", "technology.cmos_leakage_density, technology.sram_cell_leakage, leakage.duty_cycle"),
    "vector": ("digital vector unit", "vector_unit.op_energy, vector_unit.lanes, technology.clock_period"),
    "dynamic_matmul": ("activation products", "vector_unit.*, technology.mac_energy, device.* (array writes)"),
}
AREA_SOURCES = {
    "imc": ("synaptic arrays", "device.cell_area, subarray.rows, subarray.columns"),
    "routing": ("H-tree buses", "technology.wire_pitch, hierarchy.*"),
    "adc": ("column ADCs", "adc.bits, technology.adc_area_per_step, technology.adc_area_fixed"),
    "readout": ("column readout front end", "readout.conveyor_area, readout.capacitor_density"),
    "accumulation": ("shift-add, registers and adder trees", "technology.full_adder_area, technology.register_area, precision.*"),
    "other_logic_and_storage": ("drivers, decoders, muxes and buffers", "technology.dac_area_per_row, "
                                "technology.decoder_area_per_row, technology.mux_area_per_column, technology.sram_buffer_area"),
    "weight_gradient": ("weight-gradient unit", "technology.mac_area, technology.sram_cell_area, training.wg_lanes"),
}


def _first_bad(value: Any) -> tuple[tuple[int, ...], float] | None:
    a = np.asarray(value, dtype=np.float64)
    bad = ~np.isfinite(a) | (a < 0)
    if not bad.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    return idx, float(a[idx]) if idx else float(a)


def check_priced(priced: Mapping[str, Mapping[str, Any]], area: Mapping[str, Any], layers: Sequence[str],
                 source: str | None = None) -> None:
    """Every energy, latency (per layer, design points on leading axes) and area finite and >= 0, else a PpaError."""
    for quantity, parts in priced.items():
        for category, value in parts.items():
            found = _first_bad(value)
            if found is None:
                continue
            idx, bad = found
            layer = layers[idx[-1]] if idx and np.ndim(value) and np.shape(value)[-1] == len(layers) else "every layer"
            point = f"design point {idx[0]}, " if len(idx) > 1 else ""
            component, fields = CATEGORY_SOURCES.get(category, (category, "the spec"))
            raise PpaError(f"{point}layer {layer}: the {quantity} of {category} ({component}) is {bad!r}; "
                           f"check the spec fields {fields} and the layer's sizes", file=source, field=category)
    for category, value in area.items():
        if category == "total":
            continue
        found = _first_bad(value)
        if found is not None:
            idx, bad = found
            point = f"design point {idx[0]}: " if idx else ""
            component, fields = AREA_SOURCES.get(category, (category, "the spec"))
            raise PpaError(f"{point}the area of {category} ({component}) is {bad!r}; check the spec fields {fields}",
                           file=source, field=category)


def check_estimate_arguments(network: Any, chip: Any) -> None:
    """A TypeError naming the argument when `estimate(network, chip, ...)` is given the wrong things."""
    from pydantic import BaseModel

    from ppa.workload.network import Network

    if isinstance(chip, Network) and isinstance(network, BaseModel):
        raise TypeError("estimate(network, chip): the arguments are in the other order (the network comes first)")
    if not isinstance(network, Network):
        raise TypeError(f"network must be a ppa Network (from ppa.load_network(path)), got {type(network).__name__}")
    if not isinstance(chip, BaseModel) or not hasattr(chip, "technology"):
        raise TypeError(f"chip must be a hardware spec (from ppa.load_chip(path_or_name)), got {type(chip).__name__}")
