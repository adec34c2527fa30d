"""Spec of the probabilistic MAC array of SAND2022-13142 (`kind: pmac`): Bayes-MTJ + DW-MTJ pair cells,
current-conveyor column integration, shared row DAC, column ADC; and the CMOS true-RNG baseline."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ppa.spec.sections import Adc, Bits, Fraction, PosInt, Strict, Technology  # noqa: F401
from ppa.spec.units import (ActionEnergy, CapacitancePerArea, CellArea, ComponentArea, Conductance, Current, Frequency,
                            PulseWidth, Resistance, Voltage, whole)

Positive = Annotated[float, Field(gt=0, le=1e6)]
Ratio = Annotated[float, Field(gt=0, le=1000)]


class BayesMtj(Strict):
    """Bayes-MTJ tunable noise source (SAND2022-13142 Table 3-1, Eqs. 3.5-3.6)."""

    resistance_parallel: Resistance
    tmr: Ratio
    max_noise_conductance: Conductance
    noise_on_off_ratio: Annotated[float, Field(gt=1, le=1e6)]
    noise_fit_a: Fraction
    noise_fit_b: Positive
    std_ratio: Ratio
    sigma_bits: whole(1, 16)


class DwPair(Strict):
    """The DW-MTJ pair holding a weight's mean as G+ - G- (SAND2022-13142 Table 3-2, Sec. 3.0.1)."""

    resistance_parallel: Resistance
    tmr: Ratio
    notches: whole(2, 65536)
    read_noise_fraction: Fraction
    mu_bits: whole(1, 16)


class Read(Strict):
    """Read pulses: bipolar on the Bayes-MTJ, unipolar +/- on the DW pair, same amplitude and length (Sec. 3.0.2)."""

    voltage: Voltage
    pulse: PulseWidth
    input_mean_square: Fraction = 0.25


class Integrator(Strict):
    """Current conveyor holding the column at virtual ground and charging a capacitor (Sec. 3.0.2, ref. [69])."""

    bias_current: Current
    conveyor_area: ComponentArea
    capacitor_density: CapacitancePerArea   # MIM capacitance per area
    voltage_swing: Voltage


class PmacArray(Strict):
    """Array organisation: default N for mapping networks, converter sharing, cell area."""

    size: whole(1, 65536) = 128
    rows_per_dac: whole(1, 65536) = 16
    columns_per_adc: whole(1, 65536) = 1
    cell_area: CellArea
    dac_conversion_time: PulseWidth


class CmosBaseline(Strict):
    """CMOS true-RNG route: a random value per weight per sample plus a digital multiply (Sec. 3.0.6)."""

    trng_energy_per_bit: ActionEnergy
    trng_bit_rate: Frequency
    trngs: whole(1, 1_000_000)
    trng_area: ComponentArea
    random_bits: Bits
    multiply_energy: ActionEnergy
    multiply_area: ComponentArea


class PmacVariant(Strict):
    """Another resistance case: new parallel resistances for the two devices."""

    name: str
    bayes_mtj_resistance: Resistance
    dw_resistance: Resistance


class PmacSpec(Strict):
    """A probabilistic-MAC design (kind: pmac)."""

    kind: Literal["pmac"]
    name: str
    description: str = ""
    source: str | None = None
    technology: Technology
    bayes_mtj: BayesMtj
    dw_pair: DwPair
    read: Read
    integrator: Integrator
    adc: Adc
    array: PmacArray
    cmos: CmosBaseline
    variants: list[PmacVariant] = []

    @model_validator(mode="after")
    def _names_unique(self) -> "PmacSpec":
        names = [self.name] + [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variant names must differ from each other and from the spec name")
        return self

    def with_resistances(self, variant: PmacVariant) -> "PmacSpec":
        """The same design with a variant's resistances."""
        return self.model_copy(update={
            "name": variant.name,
            "bayes_mtj": self.bayes_mtj.model_copy(update={"resistance_parallel": variant.bayes_mtj_resistance}),
            "dw_pair": self.dw_pair.model_copy(update={"resistance_parallel": variant.dw_resistance}),
            "variants": [],
        })
