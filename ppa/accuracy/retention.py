"""Retention of notched DW-MTJ states: the Arrhenius model of SAND2022-13142 section 4 (Fig. 4-4).

The escape rate from a notch is k = exp(-E_a / (k_B T)) / B and the retention time t_r = 1 / k. The paper's
fit for K_u = 1e6 J/m^3 and notch width w_n = 10 nm is E_a = 2e-19 J, B = 8.1e-14 s. (Its sentence on
K_u = 5e5 -- "these values fall to 2.8e-11, with a fitting parameter of B = 8.1e-14 s" -- gives no usable
E_a, so only the K_u = 1e6 fit ships.) Escapes are a Poisson process, so a state survives a time t with
probability exp(-k t).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BOLTZMANN_J_PER_K = 1.380649e-23


@dataclass(frozen=True)
class ArrheniusFit:
    """Section 4 fit parameters: activation energy E_a (J) and prefactor B (s)."""

    activation_energy_J: float = 2.0e-19  # K_u = 1e6, w_n = 10 nm
    prefactor_s: float = 8.1e-14
    label: str = "K_u=1e6 J/m^3, w_n=10 nm (SAND2022-13142 sec. 4)"

    def __post_init__(self) -> None:
        if self.activation_energy_J <= 0 or self.prefactor_s <= 0:
            raise ValueError("E_a and B must be positive")


PAPER_FIT = ArrheniusFit()


def escape_rate(temperature_K, fit: ArrheniusFit = PAPER_FIT) -> np.ndarray:
    """Section 4: k = exp(-E_a / (k_B T)) / B, escapes per second."""
    t = np.asarray(temperature_K, dtype=np.float64)
    if np.any(t <= 0):
        raise ValueError("temperature must be positive (kelvin)")
    return np.exp(-fit.activation_energy_J / (BOLTZMANN_J_PER_K * t)) / fit.prefactor_s


def retention_time(temperature_K, fit: ArrheniusFit = PAPER_FIT) -> np.ndarray:
    """Section 4: t_r = 1 / k = B exp(E_a / (k_B T)), seconds."""
    t = np.asarray(temperature_K, dtype=np.float64)
    if np.any(t <= 0):
        raise ValueError("temperature must be positive (kelvin)")
    return fit.prefactor_s * np.exp(fit.activation_energy_J / (BOLTZMANN_J_PER_K * t))


def survival_probability(time_s, temperature_K, fit: ArrheniusFit = PAPER_FIT) -> np.ndarray:
    """Probability that a stored notch state has not escaped after time t: exp(-k t) (Poisson escapes)."""
    return np.exp(-escape_rate(temperature_K, fit) * np.asarray(time_s, dtype=np.float64))


def max_temperature_for(retention_s: float, fit: ArrheniusFit = PAPER_FIT) -> float:
    """Highest temperature at which t_r >= retention_s (inverse of retention_time)."""
    if retention_s <= fit.prefactor_s:
        return float("inf")
    return fit.activation_energy_J / (BOLTZMANN_J_PER_K * np.log(retention_s / fit.prefactor_s))


def retention_table(temperatures_K, hold_times_s: dict[str, float] | None = None,
                    fit: ArrheniusFit = PAPER_FIT) -> list[dict]:
    """Rows of T, k, t_r (s, h, years) and survival probabilities for the given hold times (section 4)."""
    hold_times_s = hold_times_s if hold_times_s is not None else {"1h": 3600.0, "1d": 86400.0, "1y": 3.15576e7, "10y": 3.15576e8}
    rows = []
    for t in np.atleast_1d(np.asarray(temperatures_K, dtype=np.float64)):
        tr = float(retention_time(t, fit))
        row = {"temperature_K": float(t), "escape_rate_per_s": float(escape_rate(t, fit)), "retention_s": tr,
               "retention_h": tr / 3600.0, "retention_years": tr / 3.15576e7}
        for name, hold in hold_times_s.items():
            row[f"survive_{name}"] = float(survival_probability(hold, t, fit))
        rows.append(row)
    return rows
