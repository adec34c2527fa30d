"""Readout front-end sections (`readout.kind`), shared by chips (`kind: imc`) and macros (`kind: macro`).

Each kind maps to one component of `ppa.cost.components.readout`; the union is discriminated by `kind`."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from ppa.spec.sections import Strict
from ppa.spec.units import Capacitance, CapacitancePerArea, ComponentArea, Current, Resistance, Voltage

PerVolt = Annotated[float, Field(gt=0, le=40)]       # g_m / I_D in 1/V (plain number)


class CurrentConveyorReadout(Strict):
    """Column readout by a current conveyor holding the column at virtual ground and charging a capacitor
    (SAND2022-13142 Sec. 3.0.2, ref. [69]); the ADC converts the capacitor voltage."""

    kind: Literal["current_conveyor"]
    bias_current: Current
    conveyor_area: ComponentArea
    capacitor_density: CapacitancePerArea   # MIM capacitance per area
    voltage_swing: Voltage


class TransimpedanceReadout(Strict):
    """Transimpedance / conductance-to-current stage per column (settling from g_m / C_L)."""

    kind: Literal["transimpedance"]
    bias_current: Current = 10e-6              # OTA quiescent current (estimate: a few-uA column amplifier)
    gm_over_id: PerVolt = 15.0                 # moderate inversion (Jespers & Murmann 2017, Ch. 2)
    load_capacitance: Capacitance = 100e-15         # converter sampling capacitor plus wiring (estimate)
    area: ComponentArea = 100e-12


class IntegratorReadout(Strict):
    """Charge integrator with reset per column (can accumulate several input bits before one conversion)."""

    kind: Literal["integrator"]
    mode: Literal["current", "voltage"] = "current"   # voltage: the settled column voltage is sampled each input bit
    capacitance: Capacitance
    voltage_swing: Voltage
    bias_current: Current = 1e-6
    area: ComponentArea = 200e-12


class ChargeShareReadout(Strict):
    """Voltage-mode bit line: cell capacitors share charge on the compute line (C V^2, RC settling)."""

    kind: Literal["charge_share"]
    cell_capacitance: Capacitance = 1e-15                # MOM capacitor per cell (Valavi et al. JSSC 2019 scale)
    line_capacitance_per_row: Capacitance = 0.2e-15      # compute-line wire per cell pitch (~1 um x 0.2 fF/um, ITRS)
    switch_resistance: Resistance = 10e3                  # share switch on-resistance (minimum NMOS at nominal drive)


class TdcReadout(Strict):
    """Time-to-digital conversion of a column's discharge time (delay line of 2^B stages)."""

    kind: Literal["tdc"]


Readout = Annotated[Union[CurrentConveyorReadout, TransimpedanceReadout, IntegratorReadout, ChargeShareReadout,
                          TdcReadout], Field(discriminator="kind")]
READOUT_KINDS = ("current_conveyor", "transimpedance", "integrator", "charge_share", "tdc")
