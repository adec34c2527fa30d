"""The macro spec (`kind: macro`): one compute-in-memory macro as published, no chip-level stages.

A macro style is a composition (DESIGN.md): cells -> optional analog merge across columns or input bits ->
readout front end (`readout.kind`, shared with chips) -> ADC, or for digital CIM an adder tree -> shift-add.
A spec holds only published design parameters; every calibrated constant lives in ppa.cost.macro."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ppa.spec.readout import Readout
from ppa.spec.sections import PosInt, Strict, Technology
from ppa.spec.units import Capacitance, CellArea, PulseWidth, Resistance, Voltage

CellKind = Literal["sram_8t1c", "c2c", "sram_digital", "rram_1t1r", "stt_mram", "sot_mram", "fefet", "dw_mtj"]
#: cells that hold a charge (charge-domain compute), resistive cells (current sum), digital CIM
CHARGE_CELLS = ("sram_8t1c", "c2c")
RESISTIVE_CELLS = ("rram_1t1r", "stt_mram", "sot_mram", "fefet", "dw_mtj")
#: inputs coded in time within one step (the value in unit pulses)
TIME_CODED_INPUTS = ("pwm", "pulse_count")
#: resistive cells with two states (one weight bit per cell, bit-sliced over columns)
BINARY_CELLS = ("stt_mram", "sot_mram")
#: device kinds of the chip specs' device library (#13) -> the macro cell kind they are read as
CELL_KIND_OF_DEVICE = {"rram": "rram_1t1r", "stt_mram": "stt_mram", "sot_mram": "sot_mram", "fefet": "fefet",
                       "dw_mtj": "dw_mtj"}


#: operand and output precision of one macro: published CIM macros use 1-10 b; 16 b bounds typos (as adc.bits)
Bits = Annotated[int, Field(ge=1, le=16)]
#: one macro's array side: published CIM arrays stay within a few thousand lines; 2^20 refuses typos and unit slips
ArraySide = Annotated[int, Field(gt=0, le=2**20)]


class MacroArray(Strict):
    """Array organisation: `rows` logical inputs summed per column, `columns` physical bit-columns."""

    rows: ArraySide
    columns: ArraySide
    active_rows: ArraySide | None = None     # rows driven per step (default: all)
    # how a column combines its cells: `current` (parallel cells, Kirchhoff current sum) or `resistance` (the
    # cells of a column in series, each adding its resistance: Jung et al., Nature 601, 2022, for low-R MTJs)
    summation: Literal["current", "resistance"] = "current"
    cores: PosInt = 1                     # identical arrays working in parallel (throughput only)

    @property
    def driven_rows(self) -> int:
        return self.active_rows or self.rows


class MacroCell(Strict):
    """The bit cell: its kind, and the published electrical figures where the paper states them."""

    kind: CellKind | None = None                          # default: the kind of `device`
    # a chip spec of the device library (shipped name such as stt_mram_40nm, or a path beside this file) whose
    # device fills the electrical figures left unset here: conductances, read voltage and pulse, cell area in F^2
    device: str | None = None
    signed: Literal["none", "differential"] = "none"     # differential: two cells (columns) per signed weight
    capacitance: Capacitance | None = None                   # charge cells: published compute capacitor
    read_voltage: Voltage | None = None                   # resistive cells: read pulse amplitude
    read_pulse: PulseWidth | None = None                   # resistive cells: how long a cell conducts per input bit
    resistance_on: Resistance | None = None
    on_off_ratio: Annotated[float, Field(gt=1)] | None = None
    wordline_high: Voltage | None = None                  # resistive cells: access gate swing
    wordline_low: Voltage | None = None
    area: CellArea | None = None                    # published cell area, if stated
    line_capacitance: Capacitance | None = None     # published device load each cell puts on a row/column line
    line_driver_capacitance: Capacitance | None = None   # published line driver's own load


class MacroInput(Strict):
    """How inputs reach the rows: `bit_serial` (one bit per step, digital wordline pulse), `dac` (one
    multi-level step), or time-coded in one step: `pwm` (one pulse as long as the value, in unit pulses) or
    `pulse_count` (as many unit pulses as the value); the column then sums charge, current x time."""

    kind: Literal["bit_serial", "dac", "pwm", "pulse_count"] = "bit_serial"
    # ternary pulses (+V, 0, -V): the sign rides on the pulse polarity, so a signed B-bit input takes B - 1
    # magnitude steps (Wan et al. Nature 2022: "N-bit inputs are supplied one bit at a time as ternary values")
    ternary: bool = False


class Merge(Strict):
    """Analog merging before conversion: `columns` binary-weighted bit-columns summed into one signal
    (C-2C ladder or weighted current sum); `input_bits: true` accumulates every input bit in the integrator
    before one conversion."""

    columns: PosInt = 1
    input_bits: bool = False


class MacroAdc(Strict):
    """Column converter; `kind: none` for digital CIM (adder tree instead)."""

    # integrator: the readout's own integrator converts by binary search, one comparison and one charge step
    # on C_int per output bit (NeuRRAM's neuron; no capacitor DAC, energy linear in bits)
    kind: Literal["sar", "flash", "sense_amp", "integrator", "none"] = "sar"
    bits: Annotated[int, Field(ge=1, le=16)] | None = None   # default: the operating point's output bits
    columns_per_adc: PosInt = 1                              # signals (after merging) sharing one converter


class Published(Strict):
    """Published figures at one operating point (null where not published)."""

    tops_per_w: float | None = None          # ops/J / 1e12 in the spec's op convention
    tops_per_mm2: float | None = None
    energy_shares: dict[str, float] | None = None   # component -> share of the MVM energy
    source: str = ""


class OperatingPoint(Strict):
    """One published operating point: supply, input and output bits, and what was measured there."""

    label: str
    supply: Voltage | None = None
    input_bits: Bits | None = None
    output_bits: Bits | None = None
    phases: Literal[1, 2] = 1            # NeuRRAM: two-phase operation for > 4 input bits (positive, negative)
    published: Published = Published()


class Timing(Strict):
    """Published timing where the paper (or its model transcription) states it; physics otherwise."""

    clock_period: PulseWidth | None = None        # one MVM step is at least one clock
    clock_supply: Voltage | None = None          # supply the clock was stated at (alpha-power scaling elsewhere)
    integrate: PulseWidth | None = None           # integration window per input bit
    adc_bit_cycle: PulseWidth | None = None       # one converter bit decision


class Macro(Strict):
    """One published CIM macro (`kind: macro`)."""

    kind: Literal["macro"]
    name: str
    source: str = ""
    technology: Technology
    supply: Voltage
    analog_supply: Voltage | None = None       # neuron/readout supply when separate from the core supply
    array: MacroArray
    cell: MacroCell
    weight_bits: Bits = 1
    input_bits: Bits = 1
    output_bits: Bits = 8
    ops: Literal["full", "1b"] = "full"      # op convention of the published figures: full-precision MACs or 1b
    input: MacroInput = MacroInput()
    merge: Merge = Merge()
    readout: Readout | None = None
    adc: MacroAdc = MacroAdc()
    timing: Timing = Timing()
    operating_points: list[OperatingPoint] = []

    @model_validator(mode="after")
    def _consistent(self) -> "Macro":
        if self.adc.kind == "none" and self.cell.kind != "sram_digital":
            raise ValueError("adc.kind none is digital CIM: it needs cell.kind sram_digital")
        if self.cell.kind == "sram_digital" and self.adc.kind != "none":
            raise ValueError("digital CIM (cell.kind sram_digital) has an adder tree, not an ADC: set adc.kind none")
        if self.adc.kind == "integrator" and (self.readout is None or self.readout.kind != "integrator"):
            raise ValueError("adc.kind integrator converts on the readout's integrator: set readout.kind integrator")
        if self.cell.kind is None and self.cell.device is None:
            raise ValueError("the cell needs a kind (or a device from the device library)")
        if (self.cell.kind in RESISTIVE_CELLS and self.cell.device is None
                and (self.cell.read_voltage is None or self.cell.resistance_on is None)):
            raise ValueError(f"cell.kind {self.cell.kind} needs read_voltage and resistance_on (or cell.device)")
        if self.merge.input_bits and (self.readout is None or self.readout.kind != "integrator"):
            raise ValueError("merge.input_bits accumulates in an integrator: set readout.kind integrator")
        if self.array.summation == "resistance" and self.cell.kind not in RESISTIVE_CELLS and self.cell.device is None:
            raise ValueError(f"array.summation resistance chains resistive cells in series, not {self.cell.kind} cells")
        if self.input.kind in TIME_CODED_INPUTS:
            what = f"input.kind {self.input.kind} (a time-coded input)"
            if self.cell.kind not in RESISTIVE_CELLS and self.cell.device is None:
                raise ValueError(f"{what} drives resistive cells, not {self.cell.kind}")
            ro = self.readout
            if ro is None or ro.kind not in ("integrator", "current_conveyor") or getattr(ro, "mode", "current") != "current":
                raise ValueError(f"{what} is summed as charge, current x time: set readout.kind integrator (mode "
                                 "current) or current_conveyor")
            if self.merge.input_bits or self.array.summation == "resistance":
                raise ValueError(f"{what} already sums the whole input in one step: no merge.input_bits, "
                                 "no array.summation resistance")
        if self.array.active_rows and self.array.active_rows > self.array.rows:
            raise ValueError("array.active_rows cannot exceed array.rows")
        return self
