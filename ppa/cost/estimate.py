"""Pricing and aggregation: activity x component prices -> a tidy table (DESIGN.md "price" + "aggregate").

One row per layer x category with `energy_j` and `latency_s` per image; chip area by category.
Categories follow Dhull Tables III/IV (`adc`, `accumulation`, `synaptic_array`, `weight_gradient`,
`weight_update`) plus `buffer` and `interconnect`, which the paper folds elsewhere, and `offchip` (DRAM traffic)
and `leakage` (static power x powered time); Table VI comparisons use the paper's five categories only.
Area categories follow Table V (`imc`, `routing`, `adc`, `accumulation`, `other_logic_and_storage`,
`weight_gradient`).

Per-image vs per-epoch: Dhull's tables are NeuroSim V2.1 output *per training epoch of 50,000 images*
(see ppa/data/README.md); per image = epoch total / 50,000. We price one image and multiply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np

from ppa.cost.components import CELL_OF_DEVICE, component
from ppa.cost.components.converters import RowDac, SarAdc, make_adc
from ppa.cost.components.readout import CurrentConveyor, make_readout
from ppa.cost.components.memory import OffchipMemory, StaticPower
from ppa.cost.components.digital import Adder, Buffer, MacUnit, ShiftAdd
from ppa.cost.components.interconnect import HTree
from ppa.cost.checks import check_estimate_arguments, check_priced
from ppa.cost.components.vector import VectorUnit
from ppa.errors import PpaError
from ppa.cost.mapping import (Activity, DigitalActivity, Geometry, LayerShapes, OperandWrites, count_actions,
                              count_digital, operand_writes, without_training_of_operands)
from ppa.workload.network import Network
from ppa.spec import Chip

if TYPE_CHECKING:   # pandas is imported on first use of a table, not on the CLI's hot path
    import pandas as pd

Mode = Literal["inference", "training"]
PAPER_CATEGORIES = ("adc", "accumulation", "synaptic_array", "weight_gradient", "weight_update")
CATEGORIES = PAPER_CATEGORIES + ("readout", "buffer", "interconnect", "offchip", "leakage")
# layers beyond the paper's CNNs: the vector unit (softmax, layer norm, GELU, adds) and activation-by-activation
# products (digital MACs, or operand writes into arrays); present in a table only when the network has such layers
EXTRA_CATEGORIES = ("vector", "dynamic_matmul")
ALL_CATEGORIES = CATEGORIES + EXTRA_CATEGORIES
Dataflow = Literal["layer_by_layer", "pipelined"]
REFERENCE_ACTIVITY = 0.5     # input activity at which the shipped constants are calibrated (Dhull's tables)
AREA_CATEGORIES = ("imc", "routing", "adc", "readout", "accumulation", "other_logic_and_storage", "weight_gradient")


@dataclass(frozen=True)
class Prices:
    """Energy (J) and latency (s) per action, and areas (m^2), of one chip's components."""

    cell_read_energy: float
    cell_read_latency: float
    cell_write_energy: float
    cell_write_latency: float
    cell_area: float
    row_drive_energy: float
    row_area: float
    adc: SarAdc
    shift_add: ShiftAdd
    tree_add: Adder
    grad_add: Adder
    mac: MacUnit
    buffer_bit_energy: float
    buffer_bit_area: float
    clock: float
    mux_area_per_column: float
    decoder_area_per_row: float
    noise_read_energy: float            # Bayes-MTJ read of a stochastic layer (0 without a noise source)
    readout_conversion_energy: float    # column front end per conversion window (0: columns go straight to the ADC)
    readout_cell_energy: float          # front end sourcing one read cell's column current
    readout_noise_energy: float         # ... and one Bayes-MTJ's
    readout_area_per_column: float
    # added: transposed read-out, data dependence, off-chip memory, leakage, gradient storage
    adc_t: SarAdc | None = None           # converter of the transposed (backward) read-out
    analog_inputs: bool = True
    offchip: OffchipMemory = OffchipMemory(0.0, np.inf)
    static: StaticPower = StaticPower(0.0, 0.0)
    grad_storage_bit_energy: float = 0.0

    @classmethod
    def from_chip(cls, chip: Chip) -> "Prices":
        """Build every component of a chip from its spec sections and technology."""
        tech, dev, p = chip.technology, chip.device, chip.precision
        cell = component(CELL_OF_DEVICE[dev.kind]).from_spec(dev, tech)
        readout = _readout_prices(chip, cell)
        dac = RowDac.from_spec(tech)
        analog = chip.subarray.input_encoding == "analog"
        buf = Buffer.from_spec(0, tech)
        rows = chip.subarray.rows
        # the column a sense-amp converter must charge: one cell's LSB current into `rows` cells of bit-line
        if dev.kind == "dw_mtj":
            g = dev.conductances                                 # floats, or arrays of design points in a sweep
            cell_r = (len(g) - 1) / (np.asarray(g[-1], dtype=np.float64) - np.asarray(g[0], dtype=np.float64))
        else:
            cell_r = getattr(dev, "read_resistance", 20e3)
        cell_c = tech.wire_capacitance * np.sqrt(dev.cell_area)  # bit-line wire across one cell pitch
        adc = make_adc(chip.adc, tech, rows, cell_r, cell_c)
        tr = getattr(chip, "transposed_readout", None)
        t_kind = getattr(tr, "adc_kind", None) or getattr(chip.adc, "kind", "sar")
        t_bits = getattr(tr, "adc_bits", None)
        t_bits = chip.adc.bits if t_bits is None else t_bits
        from types import SimpleNamespace

        adc_t = make_adc(SimpleNamespace(kind=t_kind, bits=t_bits), tech, chip.subarray.columns, cell_r, cell_c)
        off = getattr(chip, "offchip", None)
        offchip = OffchipMemory.from_spec(off) if off is not None else OffchipMemory(0.0, np.inf)
        leak = getattr(chip, "leakage", None)
        static = (StaticPower(getattr(tech, "cmos_leakage_density", 0.0), getattr(tech, "sram_cell_leakage", 0.0))
                  if leak is None or leak.enabled else StaticPower(0.0, 0.0))
        return cls(
            cell_read_energy=cell.read_energy(p.input_mean_square),
            cell_read_latency=cell.read_latency,
            cell_write_energy=cell.write_energy,
            cell_write_latency=cell.write_latency,
            cell_area=cell.area,
            row_drive_energy=dac.drive_energy if analog else tech.wordline_energy,
            row_area=dac.area,
            adc=adc,
            shift_add=ShiftAdd.from_spec(p.partial_sum_bits, tech),
            tree_add=Adder.from_spec(p.partial_sum_bits, tech),
            grad_add=Adder.from_spec(p.gradient_bits, tech),
            mac=MacUnit.from_spec(tech),
            buffer_bit_energy=buf.access_energy,
            buffer_bit_area=buf.bit_area,
            clock=tech.clock_period,
            mux_area_per_column=tech.mux_area_per_column,
            decoder_area_per_row=tech.decoder_area_per_row,
            noise_read_energy=cell.noise_read_energy(p.input_mean_square) if chip.probabilistic else 0.0,
            **readout,
            adc_t=adc_t,
            analog_inputs=analog,
            offchip=offchip,
            static=static,
            grad_storage_bit_energy=getattr(tech, "sram_array_bit_energy", 0.0),
        )


def _readout_prices(chip, cell) -> dict[str, float]:
    """Prices of the column front end before the ADC: a current conveyor sources the column current from the
    supply for the read window, E = Vdd (I_bias + sum of cell currents) t (SAND2022-13142 Sec. 3.0.6), and holds
    it on a capacitor sized for the largest column charge, C = I_col t / swing."""
    ro = chip.readout
    if ro is None:
        return {"readout_conversion_energy": 0.0, "readout_cell_energy": 0.0, "readout_noise_energy": 0.0,
                "readout_area_per_column": 0.0}
    if ro.kind != "current_conveyor":
        fe = make_readout(ro, chip.technology, chip.subarray.rows, bits=chip.adc.bits)
        t = cell.read_latency
        current_mode = ro.kind in ("transimpedance", "integrator")
        x2 = chip.precision.input_mean_square
        if not current_mode:
            i_cell = 0.0
        elif hasattr(cell, "column_current"):
            i_cell = cell.column_current(x2)
        else:   # a cell priced as V^2 G t: its mean current is its read energy over (V_read t)
            i_cell = cell.read_energy(x2) / (getattr(cell, "read_voltage", chip.technology.vdd) * t)
        return {"readout_conversion_energy": float(fe.convert_energy(0.0, t)),
                "readout_cell_energy": float(chip.technology.vdd * abs(i_cell) * t), "readout_noise_energy": 0.0,
                "readout_area_per_column": float(fe.area)}
    cc = CurrentConveyor.from_spec(ro, chip.technology)
    t, x2 = cell.read_latency, chip.precision.input_mean_square
    i_cell = cell.column_current(x2)
    i_noise = cell.column_current(x2, noisy=True) - i_cell if chip.probabilistic else 0.0
    i_max = chip.subarray.rows * (i_cell + i_noise)
    capacitor = i_max * t / ro.voltage_swing
    return {"readout_conversion_energy": cc.integrate_energy(0.0, t), "readout_cell_energy": cc.source_energy(i_cell, t),
            "readout_noise_energy": cc.source_energy(i_noise, t),
            "readout_area_per_column": cc.area + capacitor / ro.capacitor_density}


def price_layers(a: Activity, g: Geometry, pr: Prices, chip: Chip, htree_bit_energy, psum_bit_energy) -> dict[str, dict[str, np.ndarray]]:
    """Energy and latency per category per layer from action counts (arrays over layers); `leakage` is zero
    here and filled by `add_leakage` once the chip's static power and time per image are known."""
    steps = a.fwd_steps + a.bwd_steps
    conversions = a.fwd_conversions + a.bwd_conversions
    cpa = g.columns_per_adc
    tr = getattr(chip, "transposed_readout", None)
    cpa_t = getattr(tr, "columns_per_adc", None)
    cpa_t = cpa if cpa_t is None else cpa_t
    adc_t = pr.adc_t if pr.adc_t is not None else pr.adc
    cyc_f = cpa if a.fwd_adc_cycles is None else a.fwd_adc_cycles      # column groups converted per step
    cyc_b = cpa_t if a.bwd_adc_cycles is None else a.bwd_adc_cycles
    # data dependence: switching energy follows the forward input activity relative to the calibration point;
    # word-line pulses and bit-serial cell reads fire on 1-bits (linear), an analog read's I*V goes as the
    # level squared, ADC energy as its converter says, adders with their operands, wires with the toggle
    # rate; register clocking and the backward pass (errors, not activations) do not follow it
    a_in = np.asarray(a.fwd_activity)
    r = a_in / REFERENCE_ACTIVITY
    r_read = r**2 if pr.analog_inputs else r
    # random data bits toggle a wire with probability 2a(1 - a): 1/2 at the calibration point
    r_toggle = 4.0 * a_in * (1.0 - a_in)
    adder_e, register_e = pr.shift_add.adder.add_energy, pr.shift_add.register.write_energy
    offchip_bits = a.offchip_bits + a.train_offchip_bits
    # zero weights the subarray skips: a skipped cell draws no read current (cell read and the front end's
    # share of it); with column_group skipping a column read holding only zeros is neither converted nor
    # shift-added. Row drives, the remaining conversions, registers and every latency (fixed schedule) stay.
    skipping = getattr(chip.subarray, "zero_skipping", "none")
    density = 1.0 - np.asarray(a.zero_weights) if skipping != "none" else 1.0
    keep_f = 1.0 - np.asarray(a.fwd_zero_columns) if skipping == "column_group" else 1.0
    keep_b = 1.0 - np.asarray(a.bwd_zero_columns) if skipping == "column_group" else 1.0
    fwd_conv, bwd_conv = a.fwd_conversions * keep_f, a.bwd_conversions * keep_b
    fwd_adds = fwd_conv + a.fwd_tree_adds
    bwd_adds = bwd_conv + a.bwd_tree_adds
    energy = {
        "synaptic_array": (a.fwd_cell_reads * r_read + a.bwd_cell_reads) * density * pr.cell_read_energy
        + (a.fwd_row_drives * r + a.bwd_row_drives) * pr.row_drive_energy
        + a.fwd_noise_reads * pr.noise_read_energy,
        "adc": fwd_conv * pr.adc.convert_energy_at(r) + bwd_conv * adc_t.convert_energy,
        "readout": (fwd_conv + bwd_conv) * pr.readout_conversion_energy
        + (a.fwd_cell_reads + a.bwd_cell_reads) * density * pr.readout_cell_energy
        + a.fwd_noise_reads * pr.readout_noise_energy,
        # adds, plus carrying each partial sum over the PE H-tree to its adder tree; per-weight gradient
        # accumulation is a read-modify-write of the gradient word in on-chip storage
        "accumulation": fwd_adds * (adder_e * r + register_e) + bwd_adds * (adder_e + register_e)
        + (a.fwd_tree_adds + a.bwd_tree_adds) * pr.shift_add.adder.bits * psum_bit_energy
        + a.grad_accum_adds * (pr.grad_add.add_energy + 2.0 * pr.grad_add.bits * pr.grad_storage_bit_energy),
        # NeuroSim V2.1 reports the gradient unit's compute (weight gradient) apart from the data it moves
        # (buffer): the activations and errors staged in the unit's operand buffer are buffer traffic
        "weight_gradient": a.wg_macs * pr.mac.mac_energy,
        "weight_update": a.update_cell_writes * pr.cell_write_energy,
        "buffer": (a.buffer_bits + a.wg_data_bits) * pr.buffer_bit_energy,
        "interconnect": a.htree_bits * htree_bit_energy * r_toggle,
        "offchip": pr.offchip.transfer_energy(offchip_bits),
        "leakage": np.zeros_like(np.asarray(a.fwd_steps, dtype=np.float64)),
    }
    lanes = chip.training.wg_lanes
    bus = chip.hierarchy.bus_width
    latency = {
        # each step reads the column groups in use in turn (at most columns_per_adc), one read pulse and one
        # conversion each
        # rows sharing a DAC are set in turn before the read (SAND2022-13142's shared DAC; 0 for a driver per row)
        "synaptic_array": (a.fwd_steps * cyc_f + a.bwd_steps * cyc_b) * pr.cell_read_latency
        + steps * np.minimum(a.rows_per_read, chip.subarray.rows_per_dac) * chip.subarray.dac_time,
        "adc": a.fwd_steps * cyc_f * pr.adc.convert_latency + a.bwd_steps * cyc_b * adc_t.convert_latency,
        "readout": 0.0 * steps,             # the front end integrates during the read pulse
        # per step: one shift-add per column group, the weight's bit columns joined serially (cells-1
        # shifted adds), then the adder tree over row groups, one clock per level
        "accumulation": (a.fwd_steps * (cyc_f + g.cells_per_weight - 1 + a.fwd_tree_depth)
                         + a.bwd_steps * (cyc_b + g.cells_per_weight - 1 + a.bwd_tree_depth)) * pr.clock
        + a.grad_accum_adds / chip.training.accumulation_lanes * pr.clock,
        "weight_gradient": a.wg_macs / lanes * pr.mac.mac_latency,
        "weight_update": a.update_row_steps * pr.cell_write_latency,
        "buffer": a.buffer_bits / bus * pr.clock,
        "interconnect": a.htree_bits / bus * pr.clock,
        "offchip": pr.offchip.transfer_latency(offchip_bits),
        "leakage": np.zeros_like(np.asarray(a.fwd_steps, dtype=np.float64)),
    }
    del steps, conversions
    return {"energy_j": energy, "latency_s": latency}


def add_leakage(priced: dict, power_active, power_retained, duty_cycle, image_time=None) -> dict:
    """Fill the `leakage` category: each layer leaks P_active for its own time, and the volatile cells that must
    keep their weights leak P_retained through the idle time too (t * (1/duty - 1)); with `image_time` (a
    pipelined interval) the chip leaks for that time, shared among layers by their busy time."""
    # summed in ALL_CATEGORIES order, so estimates and sweeps (whose dicts differ in order) agree to the last bit
    lat = sum(priced["latency_s"][c] for c in ALL_CATEGORIES if c in priced["latency_s"] and c != "leakage")
    if image_time is not None:
        share = lat / np.sum(lat, axis=-1, keepdims=True)
        lat = share * np.asarray(image_time)[..., None]
    idle = 1.0 / np.asarray(duty_cycle) - 1.0
    priced["energy_j"]["leakage"] = lat * (np.asarray(power_active)[..., None] + idle * np.asarray(power_retained)[..., None])
    return priced


def _matmul_lanes(chip):
    """Digital MAC lanes of dynamic products: the vector unit's own, or the weight-gradient unit's (idle in inference)."""
    own = chip.vector_unit.matmul_lanes
    return chip.training.wg_lanes if own is None else own


def vector_unit_area(chip, digital: DigitalActivity):
    """Area of the vector unit, on chips whose network has vector-unit layers (else 0); design points keep their
    leading axes (a swept `lanes` of shape (P, 1) gives (P,), as chip_area's totals)."""
    if not digital.names:
        return 0.0
    area = np.asarray(VectorUnit.from_spec(chip.vector_unit, chip.technology).area, dtype=np.float64)
    return area.reshape(area.shape[:-1]) if area.ndim >= 2 else area


def price_operand_writes(w: OperandWrites, pr: Prices, chip: Chip, training: bool) -> dict[str, dict[str, np.ndarray]]:
    """`dynamic_matmul: array`: writing each image's operand into the arrays (device write energy, row-by-row
    write latency) and reading it from the buffer; in training, the two backward products run digitally."""
    bus = chip.hierarchy.bus_width
    backward = w.backward_macs if training else 0.0 * w.backward_macs
    lanes = _matmul_lanes(chip)
    return {
        "energy_j": {"dynamic_matmul": w.cell_writes * pr.cell_write_energy + backward * pr.mac.mac_energy,
                     "buffer": w.bits * pr.buffer_bit_energy},
        "latency_s": {"dynamic_matmul": w.row_steps * pr.cell_write_latency + backward / lanes * pr.mac.mac_latency,
                      "buffer": w.bits / bus * pr.clock},
    }


def price_digital(d: DigitalActivity, pr: Prices, chip: Chip) -> dict[str, dict[str, np.ndarray]]:
    """Vector-unit layers priced per operation, digital dynamic products per MAC, and their buffer traffic."""
    vu = VectorUnit.from_spec(chip.vector_unit, chip.technology)
    lanes = _matmul_lanes(chip)
    bus = chip.hierarchy.bus_width
    return {
        "energy_j": {"vector": vu.energy(d.vector_ops), "dynamic_matmul": d.macs * pr.mac.mac_energy,
                     "buffer": d.buffer_bits * pr.buffer_bit_energy},
        "latency_s": {"vector": vu.latency(d.vector_ops), "dynamic_matmul": d.macs / lanes * pr.mac.mac_latency,
                      "buffer": d.buffer_bits / bus * pr.clock},
    }


def chip_area(a: Activity, g: Geometry, pr: Prices, chip: Chip, shapes: LayerShapes) -> tuple[dict[str, np.ndarray], dict]:
    """Area by Table V category, and the H-tree geometry used to price data movement."""
    R, C = chip.subarray.rows, chip.subarray.columns
    # design points broadcast on leading axes; layer sums keep a length-1 last axis, squeezed at the end
    subarrays = np.sum(a.subarrays, axis=-1, keepdims=True)
    adc_sides = 2 if chip.hierarchy.transposable else 1
    tr = getattr(chip, "transposed_readout", None)
    cpa_t = getattr(tr, "columns_per_adc", None)
    cpa_t = chip.subarray.columns_per_adc if cpa_t is None else cpa_t
    adc_t = pr.adc_t if pr.adc_t is not None else pr.adc
    adcs_fwd = subarrays * chip.adcs_per_subarray
    # the transposed read-out converts the rows on the other edge (Dhull Fig. 2: ADCs on both edges)
    adcs_bwd = subarrays * np.ceil(np.asarray(R, dtype=np.float64) / cpa_t) if chip.hierarchy.transposable else 0.0 * subarrays
    adcs = adcs_fwd + adcs_bwd
    imc = subarrays * R * C * pr.cell_area
    adc = adcs_fwd * pr.adc.area + adcs_bwd * adc_t.area
    # analog rows need a DAC; a DAC shared by k rows is sized up by sqrt(k) for its larger load (our assumption);
    # bit-serial rows need no DAC but an input shift register of the activation's bits
    rpd = chip.subarray.rows_per_dac
    analog = chip.subarray.input_encoding == "analog"
    dacs = np.ceil(R / rpd) * np.sqrt(rpd) if analog else 0.0
    shift_in = 0.0 if analog else R * chip.precision.activation_bits * pr.shift_add.register.bit_area
    periphery = subarrays * adc_sides * (dacs * pr.row_area + shift_in + R * pr.decoder_area_per_row + C * pr.mux_area_per_column)
    readout = subarrays * adc_sides * C * pr.readout_area_per_column
    sub_area = (imc + adc + readout + periphery) / subarrays
    pes = np.ceil(a.subarrays / chip.hierarchy.subarrays_per_pe)
    tiles = np.ceil(pes / chip.hierarchy.pes_per_tile)
    n_pes, n_tiles = np.sum(pes, axis=-1, keepdims=True), np.sum(tiles, axis=-1, keepdims=True)
    pe_side = np.sqrt(sub_area * chip.hierarchy.subarrays_per_pe)
    tile_side = pe_side * np.sqrt(chip.hierarchy.pes_per_tile)
    tech = chip.technology
    pe_tree = HTree(pe_side, chip.hierarchy.subarrays_per_pe, chip.hierarchy.bus_width, tech.wire_capacitance, tech.wire_pitch, tech.vdd)
    tile_tree = HTree(tile_side, chip.hierarchy.pes_per_tile, chip.hierarchy.bus_width, tech.wire_capacitance, tech.wire_pitch, tech.vdd)
    chip_side = tile_side * np.sqrt(n_tiles)
    chip_tree = HTree(chip_side, n_tiles, chip.hierarchy.bus_width, tech.wire_capacitance, tech.wire_pitch, tech.vdd)
    buses = 2 if chip.hierarchy.transposable else 1    # forward activations and backward errors
    routing = buses * (n_pes * pe_tree.area + n_tiles * tile_tree.area + chip_tree.area)
    # a shift-add per ADC, partial-sum registers on every column (and row, if transposable), PE and tile
    # adder trees, and the chip's gradient-accumulation adders
    psum_registers = subarrays * (C + (R if chip.hierarchy.transposable else 0)) * pr.shift_add.register.area
    trees = (n_pes * chip.hierarchy.subarrays_per_pe + n_tiles * chip.hierarchy.pes_per_tile) * pr.tree_add.area
    inference_only = bool(getattr(chip, "inference_only", False))
    grad_lanes = 0.0 if inference_only else chip.training.accumulation_lanes * pr.grad_add.area
    accumulation = adcs * pr.shift_add.area + psum_registers + trees + grad_lanes
    act_bits = chip.precision.activation_bits
    layer_in = shapes.in_size**2 * shapes.in_channels * act_bits
    layer_out = shapes.out_size**2 * shapes.out_channels * act_bits
    pe_buffers = n_pes * C * act_bits * 2 * pr.buffer_bit_area               # double-buffered input rows
    global_buffer = np.max(layer_in + layer_out, axis=-1, keepdims=True) * pr.buffer_bit_area  # one layer's input + output map
    other = periphery + pe_buffers + global_buffer
    # gradients are kept in full precision in a separate digital memory until the once-per-batch update
    # (Dhull Sec. I, mixed-precision training): one gradient word per weight, in dense 6T SRAM
    grad_storage_bits = np.sum(a.weights, axis=-1, keepdims=True) * chip.precision.gradient_bits
    if inference_only:                    # an inference-only chip has no weight-gradient unit or gradient storage
        grad_storage_bits = 0.0 * grad_storage_bits
    wg_logic = 0.0 if inference_only else chip.training.wg_lanes * pr.mac.area
    weight_gradient = wg_logic + grad_storage_bits * chip.technology.sram_cell_area
    # static power: CMOS logic and periphery by area, SRAM by bits (buffers, gradient storage, SRAM synapses);
    # only volatile synapse cells must stay powered while idle to keep the weights
    synapse_bits = subarrays * R * C if chip.device.kind == "sram" else 0.0 * subarrays
    buffer_bits = (n_pes * C * act_bits * 2 + np.max(layer_in + layer_out, axis=-1, keepdims=True))
    cmos_area = adc + accumulation + periphery + wg_logic
    leakage_power = pr.static.power(cmos_area, buffer_bits + grad_storage_bits + synapse_bits)
    retained_power = pr.static.power(0.0, synapse_bits)
    area = {
        "imc": imc, "routing": routing, "adc": adc, "readout": readout, "accumulation": accumulation,
        "other_logic_and_storage": other, "weight_gradient": weight_gradient,
    }
    area["total"] = sum(area.values())
    area = {k: np.squeeze(v, axis=-1) for k, v in area.items()}
    geometry = {"subarrays": np.squeeze(subarrays, -1), "periphery_m2": np.squeeze(periphery, -1), "pes": np.squeeze(n_pes, -1), "tiles": np.squeeze(n_tiles, -1),
                "adcs": np.squeeze(adcs, -1),
                "leakage_power_w": np.squeeze(leakage_power, -1), "retained_power_w": np.squeeze(retained_power, -1),
                "htree_bit_energy": pe_tree.bit_energy + tile_tree.bit_energy + chip_tree.bit_energy,
                "psum_bit_energy": pe_tree.bit_energy}
    return area, geometry


@dataclass
class Estimate:
    """The result of one estimate: tidy per-layer table, chip area, and labels."""

    network: str
    hardware: str
    mode: Mode
    columns: dict[str, np.ndarray]      # tidy columns: layer, category, energy_j, latency_s (per image)
    area_m2: dict[str, float]
    resources: dict[str, float]
    images_per_epoch: int
    notes: list[str] = field(default_factory=list)
    samples: int | None = None          # BNN samples per prediction (probabilistic chips), None for a DNN
    dataflow: str = "layer_by_layer"
    activity: float | None = None       # the --activity override, None when the network's own values apply
    interval_s: float | None = None     # pipelined: steady-state time per image (the slowest stage)
    sparsity: float | None = None       # the --sparsity override, None when the network's own values apply

    @cached_property
    def table(self) -> "pd.DataFrame":
        """The tidy table (pandas): one row per layer x category, `energy_j` and `latency_s` per image."""
        import pandas as pd

        return pd.DataFrame(self.columns)

    @property
    def categories(self) -> tuple[str, ...]:
        """The table's categories: CATEGORIES, plus EXTRA_CATEGORIES when the network has vector or dynamic layers."""
        present = set(self.columns["category"])
        return tuple(c for c in ALL_CATEGORIES if c in present)

    @property
    def layers(self) -> list[str]:
        """Layer names in network order."""
        return list(dict.fromkeys(self.columns["layer"]))

    def matrix(self, quantity: str) -> np.ndarray:
        """Layer x category array (rows: `layers`, columns: `categories`) of `quantity` per image, without pandas."""
        layer_index = {name: i for i, name in enumerate(self.layers)}
        cat_index = {c: j for j, c in enumerate(self.categories)}
        out = np.zeros((len(layer_index), len(cat_index)))
        for name, cat, value in zip(self.columns["layer"], self.columns["category"], self.columns[quantity]):
            out[layer_index[name], cat_index[cat]] += value
        return out

    def totals(self, quantity: str, categories=None) -> dict[str, float]:
        """Per-image totals of `energy_j` or `latency_s` by category, plus 'total' over `categories` (default: all).

        Pipelined, the latency 'total' is the steady-state interval (the slowest stage counting `categories`),
        not the sum of stages."""
        matrix = self.matrix(quantity)
        by_cat = matrix.sum(axis=0)
        out = {c: float(by_cat[j]) for j, c in enumerate(self.categories)}
        chosen = [c for c in (self.categories if categories is None else categories) if c in out]
        out["total"] = float(sum(out[c] for c in chosen))
        if quantity == "latency_s" and self.interval_s is not None:     # the slowest stage over these categories
            out["total"] = float(matrix[:, [self.categories.index(c) for c in chosen]].sum(axis=1).max())
        return out

    def per_layer(self, quantity: str) -> "pd.DataFrame":
        """Layer x category matrix of `quantity` per image (layers in network order), as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.matrix(quantity), index=pd.Index(self.layers, name="layer"),
                            columns=pd.Index(list(self.categories), name="category"))

    def _repr_html_(self) -> str:
        """Jupyter: per-layer latency and energy per image (energy by category too) and the chip area."""
        from ppa.cost.display import html_table, label, number

        lat, en = self.matrix("latency_s"), self.matrix("energy_j")
        header = ["layer", "latency (s)", "energy (J)"] + [f"{label(c)} (J)" for c in self.categories]
        rows = [[name, lat[i].sum(), en[i].sum(), *en[i]] for i, name in enumerate(self.layers)]
        rows.append(["total", lat.sum(), en.sum(), *en.sum(axis=0)])
        area = ", ".join(f"{label(k)} {number(v * 1e6)}" for k, v in self.area_m2.items() if k != "total")
        return html_table(header, rows, f"{self.network} on {self.hardware}, {self.mode}, per image",
                          [f"Chip area {number(self.area_m2['total'] * 1e6)} mm^2 ({area} mm^2)."])

    def plot(self, quantity: str | None = None):
        """A matplotlib figure of per-layer stacked bars by category: latency and energy per image, or one `quantity`."""
        from ppa.cost.display import QUANTITIES, stacked_bars

        if quantity is not None and quantity not in ("latency_s", "energy_j"):
            raise PpaError(f"quantity must be 'latency_s' or 'energy_j', got {quantity!r}", field="quantity")
        quantities = [quantity] if quantity else ["latency_s", "energy_j"]
        if len(quantities) == 1:
            name, unit = QUANTITIES[quantities[0]]
            return stacked_bars({f"{self.network} on {self.hardware}, {self.mode}": (self.layers, self.matrix(quantities[0]))},
                                self.categories, f"{name} per image ({unit})")
        panels = {QUANTITIES[q][0]: (self.layers, self.matrix(q)) for q in quantities}
        fig = stacked_bars(panels, self.categories, [f"{QUANTITIES[q][0]} per image ({QUANTITIES[q][1]})" for q in quantities])
        fig.suptitle(f"{self.network} on {self.hardware}, {self.mode}", fontsize=10)
        return fig

    def to_dict(self, scale: float = 1.0) -> dict:
        """The JSON form of the CLI (`--format json`): per image values, or scaled by `scale` images."""
        layers = [{"name": name} for name in self.layers]
        for quantity in ("latency_s", "energy_j"):
            wide = self.matrix(quantity) * scale
            for i, row in enumerate(wide):
                layers[i][quantity] = {**{c: float(row[j]) for j, c in enumerate(self.categories)}, "total": float(row.sum())}
        key = "per_image" if scale == 1.0 else "run"
        out = {
            "network": self.network, "hardware": self.hardware, "mode": self.mode,
            "dataflow": self.dataflow, "activity": self.activity, "sparsity": self.sparsity,
            "area_m2": dict(self.area_m2),
            "per_image": {"latency_s": self.totals("latency_s"), "energy_j": self.totals("energy_j")},
            "paper_categories_per_image": {
                "latency_s": self.totals("latency_s", PAPER_CATEGORIES)["total"],
                "energy_j": self.totals("energy_j", PAPER_CATEGORIES)["total"],
            },
            "layers": layers,
            "resources": self.resources,
        }
        if key == "run":
            out["run"] = {q: {k: v * scale for k, v in out["per_image"][q].items()} for q in ("latency_s", "energy_j")}
            out["images"] = scale
        return out


def check_mode(chip: Chip, mode: str) -> None:
    """A mode the chip can be priced in: probabilistic cells have no modelled write path, so inference only."""
    if mode not in ("inference", "training"):
        raise PpaError(f"mode must be 'inference' or 'training', got {mode!r}", field="mode")
    if mode == "training" and chip.probabilistic:
        raise PpaError("on-chip training is not modelled for probabilistic cells (their write path is not in the spec); "
                       "use --mode inference", file=getattr(chip, "_source_path", None), field="mode")


def estimate(network: Network, chip: Chip, mode: Mode = "inference", samples: int | None = None, *,
             activity: float | None = None, dataflow: Dataflow | None = None, offchip: bool = True,
             duty_cycle: float | None = None, sparsity: float | None = None) -> Estimate:
    """Estimate per-layer, per-image latency and energy and the chip area of `network` on `chip`.

    `samples` makes it one BNN prediction on a probabilistic chip: every layer but the first is read `samples`
    times with its Bayes-MTJ noise sources (SAND2022-13142 Sec. 3.0.3); without it the chip runs a plain DNN.
    `activity` overrides every layer's input activity (share of 1-bits / mean input level, default 0.5);
    `dataflow` overrides the spec's schedule; `offchip=False` leaves the DRAM traffic out; `duty_cycle`
    overrides `leakage.duty_cycle` (share of powered time spent computing); `sparsity` overrides every layer's
    share of zero weights (priced only where `subarray.zero_skipping` is not none)."""
    check_estimate_arguments(network, chip)
    check_mode(chip, mode)
    if samples is not None:
        if not chip.probabilistic:
            raise PpaError("samples need a probabilistic cell (device kind bayes_dw_pair), e.g. --hw pmac_40nm",
                           file=getattr(chip, "_source_path", None), field="device.kind")
        if mode != "inference":
            raise PpaError("BNN predictions are priced for inference only", field="mode")
        if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
            raise PpaError(f"samples must be a whole number >= 1, got {samples!r}", field="samples")
    source = getattr(chip, "_source_path", None)
    if activity is not None and not 0.0 <= activity <= 1.0:
        raise PpaError(f"activity must be a fraction between 0 and 1, got {activity}", field="activity")
    if sparsity is not None and not 0.0 <= sparsity <= 1.0:
        raise PpaError(f"sparsity must be a fraction between 0 and 1, got {sparsity}", field="weight_sparsity")
    if duty_cycle is not None and not 0.0 < duty_cycle <= 1.0:
        raise PpaError(f"duty cycle must be in (0, 1], got {duty_cycle}", field="leakage.duty_cycle")
    updates = {}
    if dataflow is not None:
        if dataflow not in ("layer_by_layer", "pipelined"):
            raise PpaError(f"dataflow must be layer_by_layer or pipelined, got {dataflow!r}", field="dataflow.schedule")
        updates["dataflow"] = chip.dataflow.model_copy(update={"schedule": dataflow})
    if not offchip:
        updates["offchip"] = chip.offchip.model_copy(update={"kind": "none"})
    if duty_cycle is not None:
        updates["leakage"] = chip.leakage.model_copy(update={"duty_cycle": duty_cycle})
    if updates:
        chip = chip.model_copy(update=updates)
    schedule = chip.dataflow.schedule
    if mode == "training" and chip.inference_only:
        raise PpaError("this chip is inference-only (no weight-gradient unit): use --mode inference", file=source,
                       field="inference_only")
    if mode == "training" and schedule == "pipelined":
        raise PpaError("pipelined dataflow models inference only (training keeps every layer's activations for "
                       "the backward pass): use layer_by_layer", file=source, field="dataflow.schedule")
    dynamic_in_arrays = chip.vector_unit.dynamic_matmul == "array"
    training = mode == "training"
    shapes = LayerShapes.from_network(network, samples, dynamic_in_arrays, activity=activity, sparsity=sparsity)
    if not shapes.names:
        raise PpaError("the network has no conv or fc layer to map", file=network.source or None)
    geometry = Geometry.from_chip(chip)
    act = count_actions(shapes, geometry)
    writes = operand_writes(shapes, geometry, act)
    act = without_training_of_operands(act, shapes).select(training=training)
    digital = count_digital(network, geometry, dynamic_in_arrays, samples).select(training=training)
    prices = Prices.from_chip(chip)
    area, resources = chip_area(act, geometry, prices, chip, shapes)
    area = {k: float(v) for k, v in area.items()}
    limit = chip.hierarchy.tiles
    spill = 0.0
    notes = []
    if limit is not None and float(resources["tiles"]) > limit:
        if chip.offchip.kind == "none" or schedule == "pipelined" or mode == "training":
            raise PpaError(f"{network.name} needs {int(resources['tiles'])} tiles of {chip.hierarchy.pes_per_tile} PEs x "
                           f"{chip.hierarchy.subarrays_per_pe} subarrays; the chip has {limit} (layer-by-layer inference "
                           "with an offchip: memory streams the weights that do not fit)",
                           file=source, field="hierarchy.tiles")
        spill = 1.0 - limit / float(resources["tiles"])
        area = {k: (v if k == "weight_gradient" else v * limit / float(resources["tiles"])) for k, v in area.items() if k != "total"}
        area["total"] = sum(area.values())
        notes.append(f"{100 * spill:.0f} % of the weights do not fit the {limit} tiles: streamed from off-chip memory "
                     f"and written into the arrays every {chip.offchip.images_per_weight_load} image(s)")
    vector_area = float(vector_unit_area(chip, digital))   # the vector unit exists on chips whose network needs it
    area["other_logic_and_storage"] = area["other_logic_and_storage"] + vector_area
    area["total"] = area["total"] + vector_area
    leakage_power = float(resources["leakage_power_w"]) + float(prices.static.power(vector_area, 0.0))
    priced = price_layers(act, geometry, prices, chip, resources["htree_bit_energy"], resources["psum_bit_energy"])
    if spill:
        add_weight_streaming(priced, act, prices, chip, spill)
    extended = bool(digital.names) or bool(np.any(shapes.dynamic))
    categories = ALL_CATEGORIES if extended else CATEGORIES
    n_mvm = len(shapes.names)
    per_layer = {q: {c: np.broadcast_to(priced[q].get(c, 0.0), (n_mvm,)).astype(np.float64) for c in categories} for q in priced}
    # tiles each layer occupies (a pipelined chip may copy a slow layer's weights); digital layers hold none
    pes = np.ceil(np.broadcast_to(act.subarrays, (n_mvm,)) / chip.hierarchy.subarrays_per_pe)
    layer_tiles = np.ceil(pes / chip.hierarchy.pes_per_tile)
    if extended:
        for q, parts in price_operand_writes(writes, prices, chip, training).items():
            for c, v in parts.items():
                per_layer[q][c] = per_layer[q][c] + np.broadcast_to(v, (n_mvm,))
        dig = price_digital(digital, prices, chip)
        m = len(digital.names)
        for q in per_layer:
            extra = {c: np.broadcast_to(dig[q].get(c, 0.0), (m,)).astype(np.float64) for c in categories}
            per_layer[q] = {c: np.concatenate([per_layer[q][c], extra[c]]) for c in categories}
        index = {la.name: i for i, la in enumerate(network.layers)}
        order = np.argsort([index[name] for name in shapes.names] + list(digital.index), kind="stable")
        names = np.array(list(shapes.names) + list(digital.names), dtype=object)[order]
        per_layer = {q: {c: v[order] for c, v in parts.items()} for q, parts in per_layer.items()}
        layer_tiles = np.concatenate([layer_tiles, np.full(m, np.inf)])[order]
    else:
        names = np.array(shapes.names, dtype=object)
    n = len(names)
    interval = None
    if schedule == "pipelined":
        copies = pipeline_copies(per_layer["latency_s"], layer_tiles, chip)
        for c in per_layer["latency_s"]:
            per_layer["latency_s"][c] = per_layer["latency_s"][c] / copies
        stage = sum(per_layer["latency_s"][c] for c in categories)
        interval = float(np.max(stage))
        if np.any(copies > 1):
            notes.append("pipelined: weights copied into spare tiles for " + ", ".join(
                f"{name} x{int(k)}" for name, k in zip(names, copies) if k > 1))
    add_leakage(per_layer, leakage_power, resources["retained_power_w"], chip.leakage.duty_cycle,
                None if interval is None else np.asarray(interval))
    check_priced(per_layer, area, list(names), getattr(chip, "_source_path", None))
    rows = {
        "layer": np.repeat(names, len(categories)),
        "category": np.tile(np.array(categories, dtype=object), n),
        "energy_j": np.stack([per_layer["energy_j"][c] for c in categories], axis=1).ravel(),
        "latency_s": np.stack([per_layer["latency_s"][c] for c in categories], axis=1).ravel(),
    }
    resources = {k: float(v) for k, v in resources.items() if not k.endswith(("bit_energy", "_m2"))}
    resources["leakage_power_w"] = leakage_power
    resources["weights"] = float(np.sum(act.weights))
    streamed = np.sum(act.weights) * spill * stored_weight_bits(chip.device) / chip.offchip.images_per_weight_load
    resources["offchip_bits"] = float(np.sum(np.broadcast_to(act.offchip_bits + act.train_offchip_bits, (n_mvm,))) + streamed)
    resources["weights_streamed_fraction"] = spill
    if dynamic_in_arrays and np.any(shapes.dynamic):
        resources["operand_cell_writes"] = float(np.sum(writes.cell_writes))
        endurance = getattr(chip.device, "endurance", None)
        if endurance is not None:        # every operand cell is rewritten once per image
            resources["lifetime_images"] = float(endurance)
    # the activity priced: the override, else the network's when every layer shares it (None: layers differ)
    acts = np.atleast_1d(np.asarray(shapes.activity, dtype=np.float64))
    priced_activity = activity if activity is not None else (float(acts[0]) if np.all(acts == acts[0]) else None)
    return Estimate(network.name, chip.name, mode, rows, area, resources, chip.training.images_per_epoch,
                    notes, samples, schedule, priced_activity, interval, sparsity)


def stored_weight_bits(device) -> float:
    """Bits one weight takes in DRAM: the SRAM word, or enough bits to name a multi-state cell's level."""
    if getattr(device, "weight_bits", None):
        return float(device.weight_bits)
    states = getattr(device, "states", None)
    return float(np.ceil(np.log2(states))) if states else 8.0


def add_weight_streaming(priced: dict, a: Activity, pr: Prices, chip: Chip, spill: float) -> dict:
    """Weights that do not fit a fixed-size chip: the share `spill` of every layer's weights is read from DRAM and
    written into the arrays once per `offchip.images_per_weight_load` images (rows written in turn, subarrays in
    parallel); DRAM traffic goes to `offchip`, the array writes to `weight_update`."""
    reuse = chip.offchip.images_per_weight_load
    bits = np.asarray(a.weights) * spill * stored_weight_bits(chip.device) / reuse
    writes = np.asarray(a.weights) * chip.device.weight_cells * spill / reuse
    priced["energy_j"]["offchip"] = priced["energy_j"]["offchip"] + pr.offchip.transfer_energy(bits)
    priced["latency_s"]["offchip"] = priced["latency_s"]["offchip"] + pr.offchip.transfer_latency(bits)
    priced["energy_j"]["weight_update"] = priced["energy_j"]["weight_update"] + writes * pr.cell_write_energy
    priced["latency_s"]["weight_update"] = (priced["latency_s"]["weight_update"]
                                            + chip.subarray.rows * spill / reuse * pr.cell_write_latency)
    return priced


def pipeline_copies(latency: dict, tiles, chip: Chip) -> np.ndarray:
    """Copies of each layer's weights in a pipelined chip: on a fixed-size chip (`hierarchy.tiles`) with spare
    tiles, the slowest stage gets another copy (halving, thirding... its time per image) while one fits;
    `tiles` per layer (inf for digital layers, which hold no weights and are not copied)."""
    stage = np.asarray(sum(latency[c] for c in latency), dtype=np.float64)
    copies = np.ones_like(stage)
    limit = chip.hierarchy.tiles
    if limit is None or not chip.dataflow.duplicate_slow_layers:
        return copies
    tiles = np.asarray(tiles, dtype=np.float64)
    spare = limit - float(np.sum(tiles[np.isfinite(tiles)]))
    while True:
        slow = int(np.argmax(stage / copies))
        if tiles[slow] > spare:
            return copies
        copies[slow] += 1
        spare -= tiles[slow]
