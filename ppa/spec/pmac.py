"""Spec of the probabilistic MAC array of SAND2022-13142 (`kind: pmac`): Bayes-MTJ + DW-MTJ pair cells,
current-conveyor column integration, shared row DAC, column ADC; and the CMOS true-RNG baseline."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ppa.spec.sections import Adc, Fraction, PosInt, Strict, Technology
from ppa.spec.units import Amperes, FaradsPerSquareMeter, Hertz, Joules, Ohms, Seconds, Siemens, SquareMeters, Volts

Positive = Annotated[float, Field(gt=0)]


class BayesMtj(Strict):
    """Bayes-MTJ tunable noise source (SAND2022-13142 Table 3-1, Eqs. 3.5-3.6)."""

    resistance_parallel: Ohms
    tmr: Positive
    max_noise_conductance: Siemens
    noise_on_off_ratio: Annotated[float, Field(gt=1)]
    noise_fit_a: Fraction
    noise_fit_b: Positive
    std_ratio: Positive
    sigma_bits: PosInt


class DwPair(Strict):
    """The DW-MTJ pair holding a weight's mean as G+ - G- (SAND2022-13142 Table 3-2, Sec. 3.0.1)."""

    resistance_parallel: Ohms
    tmr: Positive
    notches: Annotated[int, Field(ge=2)]
    read_noise_fraction: Fraction
    mu_bits: PosInt


class Read(Strict):
    """Read pulses: bipolar on the Bayes-MTJ, unipolar +/- on the DW pair, same amplitude and length (Sec. 3.0.2)."""

    voltage: Volts
    pulse: Seconds
    input_mean_square: Fraction = 0.25


class Integrator(Strict):
    """Current conveyor holding the column at virtual ground and charging a capacitor (Sec. 3.0.2, ref. [69])."""

    bias_current: Amperes
    conveyor_area: SquareMeters
    capacitor_density: FaradsPerSquareMeter   # MIM capacitance per area
    voltage_swing: Volts


class PmacArray(Strict):
    """Array organisation: default N for mapping networks, converter sharing, cell area."""

    size: PosInt = 128
    rows_per_dac: PosInt = 16
    columns_per_adc: PosInt = 1
    cell_area: SquareMeters
    dac_conversion_time: Seconds


class CmosBaseline(Strict):
    """CMOS true-RNG route: a random value per weight per sample plus a digital multiply (Sec. 3.0.6)."""

    trng_energy_per_bit: Joules
    trng_bit_rate: Hertz
    trngs: PosInt
    trng_area: SquareMeters
    random_bits: PosInt
    multiply_energy: Joules
    multiply_area: SquareMeters


class PmacVariant(Strict):
    """Another resistance case: new parallel resistances for the two devices."""

    name: str
    bayes_mtj_resistance: Ohms
    dw_resistance: Ohms


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
