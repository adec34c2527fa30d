"""One CIM macro, as published: energy, latency and area of one MVM by component, at each operating point.

The macro path composes the same registry components the chip pipeline prices with (SAR/flash ADCs, row DAC,
readout front ends, adders) and leaves out the chip-level stages (buffers, H-trees, routing, training
hardware), as `ppa.cost.pmac._one_mvm` does for the probabilistic array. Supply scaling: energies of the
digital and mixed-signal parts follow C V^2; delays follow the alpha-power law (Sakurai & Newton, IEEE JSSC
25(2) 1990), t ~ V / (V - V_th)^alpha, both normalised at the node's nominal supply.

Op convention: 1 MAC = 2 ops. `ops: full` counts a B_x-bit x B_w-bit MAC as one MAC; `ops: 1b` (the
"1b-TOPS/W" of bit-scalable macros) counts it as B_x B_w one-bit MACs. Reports give both.

Calibrated constants (global, never per macro; each names the macro it was fitted to):
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ppa.cost.components.converters import FlashAdc, RowDac, SarAdc, SenseAmpAdc
from ppa.cost.components.digital import Adder, ShiftAdd
from ppa.cost.components.readout import ChargeIntegrator, ChargeShare, make_readout, settling_time
from ppa.errors import PpaError
from ppa.spec.macro import BINARY_CELLS, CHARGE_CELLS, RESISTIVE_CELLS, TIME_CODED_INPUTS, Macro, OperatingPoint

#: alpha-power-law exponent of velocity-saturated short-channel MOSFETs (Sakurai & Newton 1990: alpha ~ 1.3)
ALPHA = 1.3
#: threshold voltage for the alpha-power law: regular-Vt bulk/FinFET logic, 130-22 nm (~0.3-0.4 V; assumption)
VTH = 0.35
#: effective switched capacitance of one charge-domain compute cell per evaluation (its MOM capacitor and local
#: wiring), held across nodes (capacitors sit at their matching limit, as the ADC's unit capacitor). Calibrated to
#: Jia JSSC 2020, whose "CiM" energy (9.7 pJ per 2304-cell column at 0.85 V) covers cells, input lines and the
#: compute-line reset: (9.7 pJ - 0.733 pJ input lines - 0.739 pJ line reset, both priced here from the node's wire
#: and wordline constants) / (2304 x 0.85^2) = 4.94 fF. Wang VLSI 2022's C-2C array is then a prediction.
CHARGE_CELL_CAPACITANCE = 4.94e-15
#: area of a charge-domain compute cell's capacitor, held across nodes (matching-limited). Calibrated to Jia JSSC
#: 2020: 2.91 mm^2 of CiM array / 589,824 cells = 4.93 um^2, less the 8T storage cell (1.3 x 0.57 um^2 at 65 nm).
CHARGE_CAPACITOR_AREA = 4.93e-12 - 1.3 * 0.57e-12
#: compute SRAM cells (8T/9T, a decoupled read port) relative to the node's 6T cell (~1.3x, published 8T cells)
COMPUTE_SRAM_CELL_FACTOR = 1.3
#: wordline driver output resistance (a driver sized to ~1 kOhm at nominal supply; assumption)
DRIVER_RESISTANCE = 1e3
#: copper resistivity with size effects at narrow lines (~2.2e-8 ohm m; ITRS interconnect)
CU_RESISTIVITY = 2.2e-8
#: fraction of row driver energy switched per bit-serial step (random inputs: half the lines toggle)
INPUT_ACTIVITY = 0.5

__doc__ += (f"\n- CHARGE_CELL_CAPACITANCE = {CHARGE_CELL_CAPACITANCE:.3g} F (Jia JSSC 2020 array energy, 0.85 V)"
            f"\n- CHARGE_CAPACITOR_AREA = {CHARGE_CAPACITOR_AREA:.3g} m^2 (Jia JSSC 2020 array area)\n")


def delay_scale(v, v_nominal):
    """Alpha-power-law delay at supply v relative to v_nominal: (v / (v - Vth)^a) / (v0 / (v0 - Vth)^a)."""
    v = np.asarray(v, dtype=np.float64)
    return (v / (v - VTH) ** ALPHA) / (v_nominal / (v_nominal - VTH) ** ALPHA)


def energy_scale(v, v_nominal):
    """C V^2 at supply v relative to v_nominal."""
    return (np.asarray(v, dtype=np.float64) / v_nominal) ** 2


@dataclass(frozen=True)
class MacroPoint:
    """Energy (J) and area (m^2) by component, latency (s) by stage, and ops of one MVM at one operating point."""

    label: str
    supply: float
    input_bits: int
    output_bits: int
    ops: float              # ops per MVM in the spec's convention (1 MAC = 2 ops)
    ops_1b: float           # the same MVM counted in one-bit MACs (x B_x B_w)
    energy: dict[str, float]
    latency: dict[str, float]
    area: dict[str, float]
    cores: int = 1
    published: dict = field(default_factory=dict)

    @property
    def energy_total(self) -> float:
        return float(sum(self.energy.values()))

    @property
    def latency_total(self) -> float:
        return float(sum(self.latency.values()))

    @property
    def area_total(self) -> float:
        return float(sum(self.area.values()))

    @property
    def tops_per_w(self) -> float:
        return self.ops / self.energy_total / 1e12

    @property
    def tops_per_w_1b(self) -> float:
        return self.ops_1b / self.energy_total / 1e12

    @property
    def tops(self) -> float:
        return self.cores * self.ops / self.latency_total / 1e12

    @property
    def tops_per_mm2(self) -> float:
        return self.ops / self.latency_total / self.area_total / 1e18

    def as_dict(self) -> dict:
        e, a = self.energy_total, self.area_total
        pub = self.published or {}
        return {
            "label": self.label, "supply_v": self.supply, "input_bits": self.input_bits, "output_bits": self.output_bits,
            "tops_per_w": self.tops_per_w, "published_tops_per_w": pub.get("tops_per_w"),
            "tops_per_mm2": self.tops_per_mm2, "published_tops_per_mm2": pub.get("tops_per_mm2"),
            "tops_per_w_1b": self.tops_per_w_1b, "tops": self.tops,
            "energy_per_mvm_j": e, "latency_per_mvm_s": self.latency_total, "area_m2": a, "ops_per_mvm": self.ops,
            "energy_breakdown_j": dict(self.energy), "energy_shares": {k: v / e for k, v in self.energy.items()},
            "published_energy_shares": pub.get("energy_shares"),
            "latency_breakdown_s": dict(self.latency), "area_breakdown_m2": dict(self.area),
        }


def _adc(m: Macro, tech, bits: int, cell):
    kind = m.adc.kind
    spec = type("AdcSpec", (), {"bits": bits, "kind": kind})()
    if kind == "flash":
        return FlashAdc.from_spec(spec, tech)
    if kind == "sense_amp":
        return SenseAmpAdc.from_spec(spec, tech, m.array.driven_rows, cell.resistance_on or 20e3, 0.15e-15)
    return SarAdc.from_spec(spec, tech)


def resolved_cell(m: Macro):
    """The macro's cell with the figures a `cell.device` of the device library supplies (#13's cell models):
    R_on = 1 / G_max and on/off = G_max / G_min of its states, its read voltage and pulse, and its area in F^2 moved
    to the macro's node. Figures written in the macro spec win."""
    if m.cell.device is None:
        return m.cell
    from ppa.cost.components import CELL_OF_DEVICE, component
    from ppa.spec.load import load_cell_device

    dev, f_dev = getattr(m.cell, "_device", None), getattr(m.cell, "_device_feature_size", None)
    kind = m.cell.kind
    if dev is None:                       # a Macro built in code, not by load_macro: read the device now
        kind, dev, f_dev = load_cell_device(m.cell.device)
        if m.cell.kind not in (None, kind):
            raise PpaError(f"cell.kind {m.cell.kind!r} contradicts the device {m.cell.device!r} (read as {kind!r})",
                           field="cell.kind")
    model = component(CELL_OF_DEVICE[dev.kind]).from_spec(dev, None)
    g = np.asarray(model.conductances, dtype=np.float64)
    derived = {"resistance_on": float(1.0 / g.max()), "on_off_ratio": float(g.max() / g.min()),
               "read_voltage": float(model.read_voltage), "read_pulse": float(model.read_pulse),
               "area": float(model.cell_area / f_dev**2 * m.technology.feature_size**2)}
    update = {k: v for k, v in derived.items() if getattr(m.cell, k) is None}
    return m.cell.model_copy(update={**update, "kind": kind})


def _line(tech, cells: int, cell_pitch: float, cap_per_cell: float):
    """A wordline over `cells` cells: total C, and its Elmore delay from a driver of DRIVER_RESISTANCE through the
    distributed wire, t = 0.69 R_d C + 0.38 R_w C_w (Rabaey, Digital Integrated Circuits, 2nd ed., Sec. 4.4)."""
    length = cells * cell_pitch
    w = tech.feature_size                                  # minimum local metal width ~F, thickness ~2F
    r_wire = CU_RESISTIVITY * length / (w * 2 * w)
    c_wire = tech.wire_capacitance * length
    c = cells * cap_per_cell + c_wire
    return c, 0.69 * DRIVER_RESISTANCE * c + 0.38 * r_wire * c_wire


def _check_range(m: Macro, cell, readout, out_bits: int, steps: int, i_col_max: float, t_int: float) -> None:
    """The signal must fit the front end's range: a current-mode integrator holds one full-scale column for its
    window, I_max t; accumulating `steps` binary-weighted input bits needs I_max t (2^steps - 1) / 2^(steps - 1);
    a voltage-mode one samples at most V_read per bit and halves the running sum (an error names the capacitor)."""
    if isinstance(readout, ChargeIntegrator):
        merged = (2.0 ** steps - 1) / 2.0 ** (steps - 1) if m.merge.input_bits else 1.0
        if m.readout.mode == "voltage":
            need = readout.capacitance * cell.read_voltage * merged
        else:
            need = i_col_max * t_int * merged
        if need > readout.full_scale_charge * (1 + 1e-9):
            what = (f"{steps} input bits of a full-scale column" if m.merge.input_bits
                    else f"a full-scale column over its {t_int:.3g} s window")
            raise PpaError(f"the integrator cannot hold the signal: {what} needs {need:.3g} C, C_int x swing = "
                           f"{readout.full_scale_charge:.3g} C", file=getattr(m, "_source_path", None),
                           field="readout.capacitance")
    if m.merge.columns > 1 and out_bits > 16:
        raise PpaError("merged signal needs more than 16 ADC bits", file=getattr(m, "_source_path", None), field="adc.bits")


def price_point(m: Macro, point: OperatingPoint | None = None) -> MacroPoint:
    """Energy, latency and area of one MVM of macro `m` at `point` (defaults: the spec's supply and bits)."""
    point = point or OperatingPoint(label="nominal")
    tech = m.technology
    v = point.supply or m.supply
    bx = point.input_bits or m.input_bits
    by = point.output_bits or m.output_bits
    v_nom = tech.vdd
    for name, value in (("supply", v), ("analog_supply", m.analog_supply)):
        if value is not None and value < VTH + 0.1:
            raise PpaError(f"supply {value:g} V is below V_th + 0.1 V = {VTH + 0.1:g} V, where the alpha-power "
                           "delay model no longer holds", file=getattr(m, "_source_path", None), field=name)
    es, ds = float(energy_scale(v, v_nom)), float(delay_scale(v, v_nom))
    va = m.analog_supply or v                     # neuron/readout supply (NeuRRAM: 1.8 V)
    es_a, ds_a = (float(energy_scale(va, v_nom)), float(delay_scale(va, v_nom))) if m.analog_supply else (es, ds)
    cell = resolved_cell(m)
    arr = m.array
    rows, driven, cols = arr.rows, arr.driven_rows, arr.columns
    diff = cell.signed == "differential"
    # multi-level resistive cells (RRAM, FeFET, DW-MTJ) hold a whole weight; binary MTJs and SRAM hold one bit
    bits_per_cell = m.weight_bits if cell.kind in RESISTIVE_CELLS and cell.kind not in BINARY_CELLS else 1
    cols_per_weight = max(1, m.weight_bits // bits_per_cell)
    macs = (driven // (2 if diff else 1)) * cols // cols_per_weight
    if m.merge.columns > cols_per_weight or cols % m.merge.columns:
        raise PpaError(f"merge.columns {m.merge.columns} must divide the columns and not exceed the "
                       f"{cols_per_weight} bit-columns of one weight", file=getattr(m, "_source_path", None),
                       field="merge.columns")
    steps = (max(1, bx - 1) if m.input.ternary else bx) if m.input.kind == "bit_serial" else 1
    # a time-coded input holds its value in unit pulses within one step: up to 2^B - 1 of them, on average the
    # input activity's share (pwm: one pulse that long; pulse_count: that many pulses, each switching the line)
    pulse_units = 2 ** bx - 1 if m.input.kind in TIME_CODED_INPUTS else 1
    # mean line pulses per driven row and step when counted (else: one switching per step, or per 1-bit)
    counted_pulses = INPUT_ACTIVITY * pulse_units if m.input.kind == "pulse_count" else None
    phases = point.phases
    # two-phase operation splits the input bits over two integrate-and-convert phases, ceil(n/2) then floor(n/2)
    # (AccelForge neurram helper bits2phase_2phase); each input bit is pulsed once, so the wordline and input-pulse
    # energies grow with the bits, not the phases (as NeuRRAM's published breakdown does: 7.2-7.4 fJ of wordline
    # switching per device and magnitude bit at one and at two phases)
    phase_bits = [steps] if phases == 1 else [-(-steps // 2), steps // 2]
    # accumulating input bits in the integrator weights the k-th bit of a phase by integrating its sample 2^k times
    # (AccelForge neurram model: "integrate 2^k times for the k-th input bit"), 2^b - 1 integrations per phase
    integrations = sum(2 ** b - 1 for b in phase_bits) if m.merge.input_bits else steps * phases
    signals = cols // m.merge.columns
    # two-phase operation (positive, then negative inputs) converts each phase (NeuRRAM's throughput says so)
    conversions = signals * phases if m.merge.input_bits else signals * steps * phases
    adc_bits = m.adc.bits or by
    cell_area_6t = tech.sram_cell_area
    pitch_6t = math.sqrt(cell_area_6t)

    energy: dict[str, float] = {}
    latency: dict[str, float] = {}
    area: dict[str, float] = {}

    # --- inputs: row DACs (multi-level) or digital wordline pulses (bit-serial), C V^2 of the row line
    wl_cap_per_cell = tech.wordline_energy / 128 / v_nom ** 2        # tech: ~40 fF over 128 cells
    if cell.line_capacitance is not None:                               # published device load per cell on a line
        wl_cap_per_cell = cell.line_capacitance
    c_drv = cell.line_driver_capacitance or 0.0
    if cell.kind in CHARGE_CELLS or cell.kind == "c2c":
        pitch = math.sqrt(COMPUTE_SRAM_CELL_FACTOR * cell_area_6t + CHARGE_CAPACITOR_AREA)
    else:
        pitch = math.sqrt(cell.area) if cell.area else pitch_6t * math.sqrt(COMPUTE_SRAM_CELL_FACTOR)
    c_wl, t_wl = _line(tech, cols, pitch, wl_cap_per_cell)
    c_wl += c_drv
    if m.input.kind == "dac":
        # a multi-level DAC drives the row's compute capacitors (C-2C ladders) and must settle to B_x bits
        c_load = cols * (cell.capacitance or CHARGE_CELL_CAPACITANCE) if cell.kind in CHARGE_CELLS else 0.0
        c_row, _ = _line(tech, cols, pitch, wl_cap_per_cell)
        t_wl = float(settling_time(bx, DRIVER_RESISTANCE * (c_row + c_load)))
        dac = RowDac.from_spec(tech)
        energy["dac"] = driven * dac.drive_energy * es * phases
        area["dac"] = rows * dac.area          # a driver per physical row (rows of a ladder group take turns)
    elif cell.kind in RESISTIVE_CELLS:
        # access-transistor wordlines switched between the published low and high levels: C V_high dV, on and off
        vh, vl = cell.wordline_high or v, cell.wordline_low or 0.0
        energy["wordline"] = driven * steps * (counted_pulses or 1.0) * c_wl * vh * (vh - vl)
        area["dac"] = driven * RowDac.from_spec(tech).area * 0.25        # pulse driver, ~1/4 of an 8-bit DAC
    else:
        energy["wordline"] = driven * steps * phases * INPUT_ACTIVITY * c_wl * v ** 2
        area["dac"] = driven * tech.decoder_area_per_row
    latency["wordline"] = steps * phases * t_wl * ds

    # --- cells
    if cell.kind in CHARGE_CELLS:
        c_cell = cell.capacitance or CHARGE_CELL_CAPACITANCE
        energy["cells"] = driven * cols * c_cell * v ** 2 * steps * phases
        caps = driven * cols
        area["cells"] = rows * cols * COMPUTE_SRAM_CELL_FACTOR * cell_area_6t + caps * CHARGE_CAPACITOR_AREA
        share = ChargeShare(v, driven, c_cell, tech.wire_capacitance * pitch * driven, 10e3)
        # the compute line is a distributed RC over the driven rows (Elmore 0.38 R C, Rabaey Sec. 4.4) on top of
        # each cell's share switch settling to half an LSB
        c_line, t_line = _line(tech, driven, pitch, c_cell)
        latency["bitline"] = steps * phases * (float(share.settle_time(adc_bits)) * ds
                                               + t_line - 0.69 * DRIVER_RESISTANCE * c_line)
        i_col_max, t_int = 0.0, 0.0
    elif cell.kind in RESISTIVE_CELLS and m.array.summation == "resistance":
        # resistance summation (Jung et al., Nature 601, 211, 2022): the driven cells of a column sit in series,
        # each adding its on or off resistance by its product, and V_read across the chain draws V_read^2 / R_col;
        # the chain's resistance and capacitance settle together, tau = R_col C_col (single pole), so the pulse
        # lasts (B + 1) ln2 R_col C_col unless the paper states it. The input-select lines are the wordlines above.
        r_on = cell.resistance_on
        r_col = driven * 0.5 * (r_on + r_on * (cell.on_off_ratio or 10.0))
        c_col, _ = _line(tech, driven, pitch, wl_cap_per_cell)
        t_pulse = cell.read_pulse or float(settling_time(adc_bits, r_col * (c_col + c_drv)))
        vr = cell.read_voltage
        energy["cells"] = cols * vr ** 2 / r_col * t_pulse * steps * phases
        area["cells"] = rows * cols * (cell.area or COMPUTE_SRAM_CELL_FACTOR * cell_area_6t)
        t_int = max(t_pulse, m.timing.integrate or 0.0)
        latency["bitline"] = integrations * t_int
        i_col_max = vr / (driven * r_on)
    elif cell.kind in RESISTIVE_CELLS:
        ro_voltage_mode = m.readout is not None and m.readout.kind == "integrator" and m.readout.mode == "voltage"
        g_on = 1.0 / cell.resistance_on
        g_off = g_on / (cell.on_off_ratio or 10.0)
        g_mean = 0.5 * (g_on + g_off)
        t_int = m.timing.integrate or 10e-9
        t_pulse = cell.read_pulse or t_int
        if pulse_units > 1:      # time-coded: the column integrates for the longest input, 2^B - 1 unit pulses
            t_int = t_pulse = pulse_units * t_pulse
        vr = cell.read_voltage
        if cell.read_pulse is None and ro_voltage_mode:
            # voltage-mode sensing: the output line floats and the input pulse lasts until it settles to the
            # output bits through the column's devices, tau = C_line / sum(G) (single pole, Razavi Sec. 10.1)
            c_col, _ = _line(tech, driven, pitch, wl_cap_per_cell)
            t_pulse = float(settling_time(adc_bits, (c_col + c_drv) / (driven * g_mean)))
        # half the input bits are ones (INPUT_ACTIVITY); each driven cell conducts V_read^2 G for its pulse, and the
        # pulse driver charges its input line (the devices' load over the columns) to V_read: C V_read^2 per pulse
        c_in, _ = _line(tech, cols, pitch, wl_cap_per_cell)
        energy["cells"] = (driven * cols * INPUT_ACTIVITY * vr ** 2 * g_mean * t_pulse * steps
                           + driven * (counted_pulses or INPUT_ACTIVITY) * (c_in + c_drv) * vr ** 2 * steps)
        area["cells"] = rows * cols * (cell.area or COMPUTE_SRAM_CELL_FACTOR * cell_area_6t)
        latency["bitline"] = integrations * t_int
        i_col_max = driven * vr * g_on
    else:   # digital CIM: a NOR/AND per cell per input bit, then an adder tree per column
        gate = tech.full_adder_energy / 4.0
        energy["cells"] = driven * cols * INPUT_ACTIVITY * gate * es * steps
        area["cells"] = rows * cols * 1.5 * cell_area_6t             # 6T + a NOR gate (~8-10T digital CIM cells)
        tree_fa = 2 * driven                                            # sum_l (R / 2^l) l ~ 2R full-adder bits
        energy["adder_tree"] = cols * tree_fa * tech.full_adder_energy * es * steps
        area["adder_tree"] = cols * tree_fa * tech.full_adder_area
        latency["adder_tree"] = steps * math.log2(max(driven, 2)) * 2 * tech.full_adder_delay * ds
        i_col_max, t_int = 0.0, 0.0

    # --- readout front end
    ro = m.readout
    if ro is not None and ro.kind != "charge_share":
        fe = make_readout(ro, tech, driven, vdd=va, bits=adc_bits)
        _check_range(m, cell, fe, by, steps, i_col_max, t_int)
        if isinstance(fe, ChargeIntegrator):
            window = t_int
            if ro.mode == "voltage":     # the sampled charge C_int V_col, V_col ~ V_read / 2 on average
                charge = fe.capacitance * cell.read_voltage * INPUT_ACTIVITY
            else:
                charge = 0.5 * i_col_max * INPUT_ACTIVITY * window
            per_step = fe.integrate_energy(charge, window)
            energy["readout"] = float(signals * integrations * per_step + conversions * fe.reset_energy())
        else:
            window = max(float(fe.settle_time(adc_bits)), t_int)
            energy["readout"] = float(conversions * fe.convert_energy(0.5 * i_col_max * INPUT_ACTIVITY, window))
        area["readout"] = float(signals * fe.area)
        latency["readout"] = float(fe.settle_time(adc_bits)) * ds_a * (conversions / signals)
    elif ro is not None:
        energy["readout"] = float(conversions * (tech.wire_capacitance * pitch * driven) * v ** 2)

    # --- conversion
    if m.adc.kind == "integrator":
        fe = make_readout(ro, tech, driven, vdd=va, bits=adc_bits)
        if not isinstance(fe, ChargeIntegrator):
            raise PpaError("adc.kind integrator converts on the readout's integrator: set readout.kind integrator",
                           file=getattr(m, "_source_path", None), field="adc.kind")
        t_bit = m.timing.adc_bit_cycle or float(fe.settle_time(adc_bits))
        # per output bit: the OTA held on for one bit cycle while a half-scale charge step lands on C_int, and one
        # latched comparison (Johns & Martin Ch. 10 for the integrator; the node's StrongARM latch energy)
        per_bit = fe.integrate_energy(0.5 * fe.full_scale_charge, t_bit) + tech.comparator_energy * es_a
        # a later phase reads only the bits the earlier phases' inputs did not cover (variable precision, AccelForge
        # neurram helper phase_out_bits: max(B_out - bits of the earlier phases, 0))
        bit_steps = sum(max(adc_bits - sum(phase_bits[:i]), 1) for i in range(len(phase_bits)))
        energy["adc"] = float(signals * bit_steps * per_bit)
        area["adc"] = float(signals * tech.comparator_area)
        latency["adc"] = (bit_steps + len(phase_bits)) * t_bit       # + one sample / inter-phase step per phase
    elif m.adc.kind != "none":
        adc = _adc(m, tech, adc_bits, cell)
        n_adc = -(-signals // m.adc.columns_per_adc)
        energy["adc"] = float(conversions * adc.convert_energy * es_a)
        area["adc"] = float(n_adc * adc.area)
        t_conv = (adc_bits + 1) * m.timing.adc_bit_cycle if m.timing.adc_bit_cycle else float(adc.convert_latency) * ds_a
        latency["adc"] = (conversions / signals) * m.adc.columns_per_adc * t_conv

    # --- shift-add of partial results (input bits not accumulated in analog, unmerged weight bit-columns)
    if conversions > signals or (m.merge.columns < cols_per_weight):
        sa = ShiftAdd.from_spec(by + bx, tech)
        n_adds = conversions if m.adc.kind != "none" else cols * steps
        energy["shift_add"] = float(n_adds * sa.add_energy * es)
        area["shift_add"] = float(signals * sa.area)
    area["periphery"] = rows * tech.decoder_area_per_row + cols * tech.mux_area_per_column

    # a published clock bounds each step from below (scaled to the supply by the alpha-power law)
    if m.timing.clock_period:
        v_clk = m.timing.clock_supply or m.supply
        clk = m.timing.clock_period * float(delay_scale(v, v_nom) / delay_scale(v_clk, v_nom))
        physical = sum(latency.values())
        if physical < clk * steps * phases:
            latency["clock_wait"] = clk * steps * phases - physical

    for what, values in (("energy", energy), ("latency", latency), ("area", area)):
        for k, x in values.items():
            if not np.isfinite(x) or x < 0:
                raise PpaError(f"{what} of {k} came out {x!r} at {point.label}: check the spec's values",
                               file=getattr(m, "_source_path", None), field=k)
    ops = 2.0 * macs
    ops_1b = ops * bx * m.weight_bits
    published = point.published.model_dump(exclude_none=True) if point.published else {}
    published.pop("source", None)
    return MacroPoint(point.label, v, bx, by, ops_1b if m.ops == "1b" else ops, ops_1b,
                      {k: float(x) for k, x in energy.items()}, {k: float(x) for k, x in latency.items()},
                      {k: float(x) for k, x in area.items()}, arr.cores, published)


def macro_points(m: Macro) -> list[MacroPoint]:
    """Every operating point of the spec (or its nominal point when it lists none)."""
    return [price_point(m, p) for p in (m.operating_points or [None])]


def _error(model: float, published: float | None) -> float | None:
    return None if published is None else model / published - 1.0


#: published component names -> the model's components they cover (for comparing energy shares)
SHARE_GROUPS: dict[str, tuple[str, ...]] = {
    "adc": ("adc",), "array": ("cells", "wordline", "readout"), "dac": ("dac",), "misc": ("shift_add", "adder_tree"),
    "wordline": ("wordline",), "neuron": ("readout", "adc", "shift_add"), "inputs": ("cells", "dac"),
}


def grouped_shares(point: MacroPoint, names) -> dict[str, float]:
    """The model's energy shares summed into the published figure's groups (SHARE_GROUPS)."""
    e = point.energy_total
    return {n: sum(point.energy.get(k, 0.0) for k in SHARE_GROUPS[n]) / e for n in names}


def macro_report(m: Macro) -> dict:
    """`ppa macro --format json`: every operating point with the published figures, errors and breakdowns."""
    points = []
    for p in macro_points(m):
        d = p.as_dict()
        d["error_tops_per_w"] = _error(d["tops_per_w"], d["published_tops_per_w"])
        d["error_tops_per_mm2"] = _error(d["tops_per_mm2"], d["published_tops_per_mm2"])
        pub_shares = d.get("published_energy_shares")
        d["energy_shares_grouped"] = grouped_shares(p, pub_shares) if pub_shares else None
        points.append(d)
    conv = ("1 MAC = 2 ops; TOPS/W counts each Bx x Bw MAC as Bx*Bw one-bit MACs (1b-TOPS/W)" if m.ops == "1b"
            else "1 MAC = 2 ops of the full-precision MAC; tops_per_w_1b normalises to Bx*Bw one-bit MACs")
    return {"macro": m.name, "source": m.source, "op_convention": conv, "node_m": m.technology.feature_size,
            "calibration": {"CHARGE_CELL_CAPACITANCE_F": CHARGE_CELL_CAPACITANCE,
                            "CHARGE_CAPACITOR_AREA_M2": CHARGE_CAPACITOR_AREA, "fitted_to": "jia_jssc2020 at 0.85 V"},
            "points": points}
