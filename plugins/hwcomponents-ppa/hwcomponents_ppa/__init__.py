"""ppa's spintronic components as hwcomponents models (AccelForge / CiMLoop): each class wraps a ppa component
class built from a ppa hardware spec, and declares its actions with hwcomponents' `@action`. Prices are ppa's."""

from __future__ import annotations

from functools import lru_cache

from hwcomponents import ActionCost, ComponentModel, action

__all__ = ["PpaBayesMtjSampler", "PpaCmosTrng", "PpaCurrentConveyor", "PpaDwMtjCell"]


@lru_cache(maxsize=32)
def _chip(hw: str, tech_node: float | None):
    """A ppa chip spec by shipped name or path, moved to `tech_node` (m) by ppa's node scaling when given."""
    from ppa.spec import load_chip

    chip = load_chip(hw)
    if tech_node is None or abs(tech_node - chip.technology.feature_size) <= 1e-12:
        return chip
    data = chip.model_dump()
    data["technology"]["node"] = float(tech_node)
    return type(chip).model_validate(data, context={"feature_size": chip.technology.feature_size})


def _cost(energy: float, latency: float) -> ActionCost:
    return ActionCost(energy=float(energy), latency=float(latency),
                      throughput=1.0 / float(latency) if latency > 0 else float("inf"))


class PpaDwMtjCell(ComponentModel):
    """Notched DW-MTJ synapse cell (Dhull et al. Sec. II): ppa's `DwMtjCell`. `read`: (V_read^2 <x^2>) G_mean
    t_read; `write`: one notch step, pulses x I^2 R_HM t_pulse with I = J w t_HM."""

    component_name = ["ppa_dw_mtj_cell", "dw_mtj_cell"]
    priority = 0.5

    def __init__(self, hw: str = "dw_40nm", tech_node: float | None = None, input_mean_square: float | None = None):
        from ppa.cost.components import component

        chip = _chip(hw, tech_node)
        self.cell = component("dw_mtj_cell").from_spec(chip.device, chip.technology)
        self.input_mean_square = chip.precision.input_mean_square if input_mean_square is None else input_mean_square
        super().__init__(area=self.cell.area, leak_power=0.0)   # non-volatile: no standby leakage in the cell

    @action
    def read(self) -> ActionCost:
        """One cell read at the spec's input statistics."""
        return _cost(self.cell.read_energy(self.input_mean_square), self.cell.read_latency)

    @action
    def write(self) -> ActionCost:
        """One notch step of the domain wall."""
        return _cost(self.cell.write_energy, self.cell.write_latency)


class PpaBayesMtjSampler(ComponentModel):
    """Probabilistic-MAC cell of SAND2022-13142 Fig. 3-2A (Bayes-MTJ noise source beside a DW-MTJ pair):
    ppa's `ProbabilisticCell`. `read`: the DW pair's +/- reads; `sample`: one Bayes-MTJ stochastic read."""

    component_name = ["ppa_bayes_mtj_sampler", "bayes_dw_pair_cell"]
    priority = 0.5

    def __init__(self, hw: str = "pmac_40nm", tech_node: float | None = None, input_mean_square: float | None = None):
        from ppa.cost.components import component

        chip = _chip(hw, tech_node)
        self.cell = component("bayes_dw_pair_cell").from_spec(chip.device, chip.technology)
        self.input_mean_square = chip.precision.input_mean_square if input_mean_square is None else input_mean_square
        super().__init__(area=self.cell.area, leak_power=0.0)

    @action
    def read(self) -> ActionCost:
        """One read of the DW pair holding the weight's mean."""
        return _cost(self.cell.read_energy(self.input_mean_square), self.cell.read_latency)

    @action
    def sample(self) -> ActionCost:
        """One stochastic read of the Bayes-MTJ (a sample of the weight's noise)."""
        return _cost(self.cell.noise_read_energy(self.input_mean_square), self.cell.read_latency)


class PpaCurrentConveyor(ComponentModel):
    """Class-AB current conveyor column readout (SAND2022-13142 Sec. 3.0.2): ppa's `CurrentConveyor`.
    `integrate`: Vdd (I_bias + |I_column|) t for one integration window."""

    component_name = ["ppa_current_conveyor", "current_conveyor"]
    priority = 0.5

    def __init__(self, hw: str = "pmac_40nm", tech_node: float | None = None):
        from ppa.cost.components import component

        chip = _chip(hw, tech_node)
        self.conveyor = component("current_conveyor").from_spec(chip.readout, chip.technology)
        self.window = chip.device.read.pulse if chip.device.kind == "bayes_dw_pair" else chip.device.read_pulse
        # the quiescent bias flows all the time: that is the conveyor's static power
        super().__init__(area=self.conveyor.area, leak_power=self.conveyor.vdd * self.conveyor.bias_current)

    @action
    def integrate(self, column_current: float = 0.0, duration: float | None = None) -> ActionCost:
        """One integration window of `duration` s (default: the spec's read pulse) carrying `column_current` A."""
        t = self.window if duration is None else duration
        return _cost(self.conveyor.integrate_energy(column_current, t), t)


class PpaCmosTrng(ComponentModel):
    """CMOS true random number generator of the BNN baseline (Bae et al., JSSC 2017): ppa's `CmosTrng`.
    `generate`: one random value of `bits` bits."""

    component_name = ["ppa_cmos_trng", "cmos_trng"]
    priority = 0.5

    def __init__(self, hw: str = "pmac_40nm"):
        from ppa.cost.components import component

        c = _chip(hw, None).cmos_baseline
        self.trng = component("cmos_trng")(c.trng_energy_per_bit, c.trng_bit_rate, c.trng_area)
        self.random_bits = c.random_bits
        super().__init__(area=self.trng.area, leak_power=0.0)

    @action
    def generate(self, bits: int | None = None) -> ActionCost:
        """One random value of `bits` bits (default: the spec's random_bits)."""
        b = self.random_bits if bits is None else bits
        return _cost(self.trng.value_energy(b), self.trng.value_latency(b))
