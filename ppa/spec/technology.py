"""Technology-node scaling, 130 nm to 7 nm: published per-node data and the rule each Technology constant follows.

A constant is either read from an absolute per-node table (supply, 6T SRAM cell, wire capacitance) or
scaled from a reference value by the ratio of a per-node factor (logic energy, delay and area of
Stillmaker & Baas 2017; wire and analog rules below). Between tabulated nodes every factor is
interpolated linearly in log(factor) against log(node). Everything broadcasts over numpy arrays of
nodes, so a node sweep is one array evaluation.

Sources (the README's sources table repeats these):

- **Stillmaker & Baas 2017**, "Scaling equations for the accurate prediction of CMOS device performance
  from 180 nm to 7 nm", Integration 58:74-81, doi:10.1016/j.vlsi.2017.02.002: fitted delay (cubic in Vdd)
  and energy (quadratic in Vdd) per node from HSPICE on PTM/ITRS models, and the area-scaling table.
  We use the high-performance (HP) rows from 45 nm down so one device flavour spans the range, and
  evaluate each node's polynomials at its nominal supply.
- **Nominal supply** per node: the PTM model cards Stillmaker & Baas simulate (bulk PTM 130-32 nm,
  PTM-MG HP 20-7 nm).
- **6T SRAM bit cell** per node: published high-density cells (Intel 130/90/65/45/32/22/14 nm at IEDM,
  TSMC 40/28/20/16/10/7 nm at IEDM/ISSCC).
- **Wire capacitance per length** of intermediate metal: ITRS interconnect tables keep it near
  0.2 fF/um at every node (low-k dielectrics offset the tighter pitch), so it is held constant.
- **ADC**: the SAR comparator and logic follow logic energy/delay/area; the capacitor DAC's unit
  capacitor sits at its matching (and kT/C) limit, so its energy per step follows C*Vdd^2 with C held
  (Vdd^2 only) and its area shrinks only linearly in F (matching-limited analog; an assumption, stated
  where the constant is used).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

NM = 1e-9

# Stillmaker & Baas 2017, Table of fitted coefficients: delay = a V^3 + b V^2 + c V + d,
# energy = e V^2 + f V + g (normalised units; only ratios between nodes are used). HP rows from 45 nm.
_STILLMAKER: dict[int, tuple[tuple[float, float, float, float], tuple[float, float, float]]] = {
    130: ((-76.65, 334.9, -493.4, 275.8), (7.171, -6.709, 2.904)),
    90: ((-60.34, 262.5, -384.2, 210.9), (4.762, -4.781, 2.092)),
    65: ((-53.3, 230.4, -333.9, 178.6), (3.755, -4.398, 1.975)),
    45: ((-501.6, 1567.0, -1619.0, 566.1), (1.018, -0.3107, 0.1539)),
    32: ((-1047.0, 2982.0, -2797.0, 873.5), (0.8367, -0.4341, 0.1701)),
    20: ((0.0, 34.63, -66.37, 41.15), (0.373, -0.1582, 0.04104)),
    16: ((0.0, 24.8, -47.52, 28.87), (0.2958, -0.1241, 0.03024)),
    14: ((-40.66, 109.2, -100.6, 35.92), (0.2363, -0.09675, 0.02239)),
    10: ((-34.95, 93.65, -85.99, 30.4), (0.2068, -0.09311, 0.02375)),
    7: ((-28.58, 76.6, -70.26, 24.69), (0.1776, -0.09097, 0.02447)),
}
# Stillmaker & Baas 2017, area-scaling table: area at each node relative to 45 nm.
_AREA_VS_45: dict[int, float] = {130: 6.4, 90: 2.8, 65: 1.5, 45: 1.0, 32: 0.46, 20: 0.21, 16: 0.19, 14: 0.17,
                                 10: 0.1, 7: 0.059}
# Nominal supply of the PTM cards behind the fits (bulk PTM 130-32 nm; PTM-MG HP 20-7 nm), volts.
VDD_NOMINAL: dict[int, float] = {130: 1.3, 90: 1.2, 65: 1.1, 45: 1.0, 32: 0.9, 20: 0.9, 16: 0.85, 14: 0.8,
                                 10: 0.75, 7: 0.7}
# Published high-density 6T SRAM bit cells, um^2: Intel 130 nm 2.45 (2001), 90 nm 1.0 (2002), 65 nm 0.57
# (2004), 45 nm 0.346 (2007), 32 nm 0.171 (2009), 22 nm 0.092 (2012), 14 nm 0.0588 (2014); TSMC 40 nm
# 0.242, 28 nm 0.127, 20 nm 0.081, 16 nm FinFET 0.07, 10 nm 0.042, 7 nm 0.027 (IEDM/ISSCC).
SRAM_6T_UM2: dict[int, float] = {130: 2.45, 90: 1.0, 65: 0.57, 45: 0.346, 40: 0.242, 32: 0.171, 28: 0.127,
                                 22: 0.092, 20: 0.081, 16: 0.07, 14: 0.0588, 10: 0.042, 7: 0.027}
# Intermediate-metal capacitance per length (ITRS interconnect tables: ~0.2 fF/um at every node), F/m.
WIRE_CAPACITANCE = 0.2e-15 / 1e-6

NODE_MIN, NODE_MAX = 7 * NM, 130 * NM


def _table(values: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
    nodes = sorted(values)
    return np.log(np.array(nodes, float) * NM), np.log(np.array([values[n] for n in nodes], float))


def _energy(n: int) -> float:
    e, f, g = _STILLMAKER[n][1]
    v = VDD_NOMINAL[n]
    return e * v * v + f * v + g


def _delay(n: int) -> float:
    a, b, c, d = _STILLMAKER[n][0]
    v = VDD_NOMINAL[n]
    return ((a * v + b) * v + c) * v + d


#: per-node factor tables (log node, log factor) by name
_TABLES = {
    "vdd": _table(VDD_NOMINAL),
    "logic_energy": _table({n: _energy(n) for n in _STILLMAKER}),
    "logic_delay": _table({n: _delay(n) for n in _STILLMAKER}),
    "logic_area": _table(_AREA_VS_45),
    "sram_cell_area": _table(SRAM_6T_UM2),
}


def check_node(node: Any) -> None:
    """Refuse nodes outside the published data (130 nm to 7 nm)."""
    n = np.asarray(node, dtype=float)
    if np.any(n < NODE_MIN * (1 - 1e-9)) or np.any(n > NODE_MAX * (1 + 1e-9)):
        raise ValueError("node must lie between 7 nm and 130 nm (the range of the published scaling data)")


def factor(rule: str, node: Any) -> Any:
    """The per-node factor of a scaling rule (log-log interpolation between tabulated nodes); broadcasts."""
    n = np.asarray(node, dtype=float)
    if rule in _TABLES:
        x, y = _TABLES[rule]
        out = np.exp(np.interp(np.log(n), x, y))
    elif rule == "constant":
        out = np.ones_like(n)
    elif rule == "linear":                        # pitches, analog (matching-limited) areas: ~ F
        out = n / (40 * NM)
    elif rule == "vdd_squared":                   # C held at its matching limit, energy ~ C Vdd^2
        out = factor("vdd", n) ** 2
    elif rule == "wire_energy":                   # a line over cells of pitch ~F: C ~ F, energy ~ F Vdd^2
        out = n / (40 * NM) * factor("vdd", n) ** 2
    else:
        raise KeyError(f"unknown scaling rule {rule!r}")
    out = np.asarray(out, dtype=float)
    return out if out.ndim else float(out)


def ratio(rule: str, to_node: Any, from_node: Any) -> Any:
    """Multiplier taking a value of `rule` from `from_node` to `to_node`."""
    return factor(rule, to_node) / factor(rule, from_node)


#: How each Technology constant moves with the node, and why (the README's sources table).
TECHNOLOGY_RULES: dict[str, str] = {
    "vdd": "vdd",                              # nominal supply table
    "clock_period": "logic_delay",             # Stillmaker delay at nominal Vdd
    "full_adder_energy": "logic_energy",       # Stillmaker energy at nominal Vdd
    "full_adder_delay": "logic_delay",
    "full_adder_area": "logic_area",           # Stillmaker area table
    "register_energy": "logic_energy",
    "register_area": "logic_area",
    "sram_buffer_energy": "logic_energy",      # bit-line C Vdd^2 follows the logic CV^2 trend
    "sram_buffer_area": "sram_cell_area",      # cell plus periphery, as a multiple of the 6T cell
    "sram_cell_area": "sram_cell_area",        # published 6T cells
    "wire_capacitance": "constant",            # ITRS: ~0.2 fF/um at every node
    "wire_pitch": "linear",                    # metal pitch ~ F
    "adc_walden_fom": "vdd_squared",           # capacitor DAC at its matching limit: C Vdd^2 with C held
    "adc_cycle_energy": "logic_energy",        # comparator decision + SAR logic
    "adc_cycle_time": "logic_delay",
    "adc_area_per_step": "linear",             # matching-limited unit capacitor (assumption: ~F, not F^2)
    "adc_area_fixed": "logic_area",            # comparator and SAR logic
    "dac_energy_per_row": "wire_energy",       # row line C ~ F and bias ~ Vdd^2
    "dac_area_per_row": "linear",              # analog driver (assumption: ~F)
    "wordline_energy": "wire_energy",
    "mac_energy": "logic_energy",
    "mac_area": "logic_area",
    "mux_area_per_column": "logic_area",
    "decoder_area_per_row": "logic_area",
    "adc_area_scale": "constant",              # dimensionless: Dhull/NeuroSim's ADC relative to the survey trend
    "adc_thermal_energy_8b": "constant",       # kT-limited Schreier-FoM envelope (~175 dB) does not move with the node
    "comparator_energy": "logic_energy",       # StrongARM latch: digital CV^2 regeneration
    "comparator_area": "logic_area",           # latch and clocking, as adc_area_fixed's comparator
    "comparator_delay": "logic_delay",         # regeneration time ~ a few FO4
    "sense_amp_energy": "logic_energy",        # latched current-mode sense amplifier, as the comparator
    "sense_amp_area": "logic_area",
    "cmos_leakage_density": "vdd",             # assumption: low-power flavours hold off-current per area, P ~ I_off Vdd
    "sram_cell_leakage": "vdd",                # assumption: low-power cells hold ~20 pA per cell, P ~ I_off Vdd
    "sram_array_bit_energy": "logic_energy",   # short local bit-line C Vdd^2, as sram_buffer_energy
}
#: Rules read as absolute per-node values (the rest scale a reference value).
ABSOLUTE: dict[str, Any] = {
    "vdd": lambda n: factor("vdd", n),
    "sram_cell_area": lambda n: factor("sram_cell_area", n) * 1e-12,
    "wire_capacitance": lambda n: WIRE_CAPACITANCE * np.ones_like(np.asarray(n, float)),
}
REFERENCE_NODE = 40 * NM

#: Independent published anchors at another node for constants that scale from the 40 nm reference:
#: name -> (value, its node, source, why tech_40nm.yaml differs when the moved anchor is off by > 10 %).
CROSS_CHECKS: dict[str, tuple[float, float, str, str]] = {
    "full_adder_energy": (
        0.1e-12 / 32, 45 * NM, "Horowitz ISSCC 2014: 32-bit add 0.1 pJ at 45 nm, per bit",
        "Stillmaker's 45->40 nm energy ratio at nominal supply (0.80) moves the anchor to 2.51 fJ, 34 % under "
        "tech_40nm.yaml's 3.8 fJ, which is calibrated to Table IV (x1.37 with the other digital energies once "
        "NeuroSim's padding convention is used; NeuroSim/Aladdin gate models give 2-5x Horowitz)."),
    "mac_energy": (
        0.25e-12, 45 * NM, "Horowitz ISSCC 2014: 8-bit multiply 0.2 pJ + add 0.05 pJ at 45 nm",
        "Moved by Stillmaker to 40 nm the anchor gives 0.20 pJ, 22 % under tech_40nm.yaml's 0.257 pJ, which is "
        "calibrated to Table IV weight-gradient energy (stated there)."),
    "mac_area": (
        282e-12, 45 * NM, "Horowitz ISSCC 2014: 8-bit multiplier 282 um^2 at 45 nm",
        "Stillmaker's area table moves 282 um^2 to 216 um^2 at 40 nm, 28 % under tech_40nm.yaml's 300 um^2, "
        "which adds the 16-bit accumulate adder and scales Horowitz only linearly; the difference is that "
        "adder plus the milder linear shrink."),
}


@lru_cache(maxsize=1)
def reference_constants() -> dict[str, float]:
    """The 40 nm reference set the relative rules scale from: the shipped hwspecs/tech_40nm.yaml, SI."""
    from ppa.spec.distributions import split_distributions
    from ppa.spec.sections import Technology
    from ppa.spec.shipped import shipped_dir
    from ppa.spec.yamlio import read_yaml

    doc, _ = split_distributions(read_yaml(shipped_dir("hwspecs") / "tech_40nm.yaml"))   # nominal values
    return Technology.model_validate(doc.data).model_dump()


def derive(node: Any) -> dict[str, Any]:
    """Every Technology constant at `node` (m; scalar or array): absolute tables where published, the 40 nm
    reference scaled by its rule otherwise; a constant without a rule yet is held at its 40 nm value
    (tests/test_technology.py fails until it gets one)."""
    check_node(node)
    ref = reference_constants()
    out: dict[str, Any] = {}
    for name, value in ref.items():
        if name in ("name", "node", "feature_size") or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        rule = TECHNOLOGY_RULES.get(name)
        if name in ABSOLUTE:
            out[name] = ABSOLUTE[name](node)
        else:
            out[name] = value * (ratio(rule, node, REFERENCE_NODE) if rule else 1.0)
    return out


def rescale(values: dict[str, Any], rules: dict[str, str], to_node: Any, from_node: Any,
            skip: set[str] = frozenset()) -> dict[str, Any]:
    """`values` written for `from_node`, moved to `to_node` by each field's rule (fields without a rule,
    or in `skip`, are kept as they are)."""
    out = dict(values)
    for name, rule in rules.items():
        if name in out and name not in skip and isinstance(out[name], (int, float, np.ndarray)) \
                and not isinstance(out[name], bool):
            out[name] = out[name] * ratio(rule, to_node, from_node)
    return out


def node_scaled(chip: dict[str, Any], node: Any, section_rules: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A validated chip's model_dump moved to `node` (scalar or array of shape (points, 1)): technology
    constants and each section's CMOS-dependent fields (`Chip.node_rules()`) scaled; used by vectorised sweeps."""
    check_node(node)
    tech = chip["technology"]
    fs = tech["feature_size"]
    scaled = rescale(tech, TECHNOLOGY_RULES, node, fs)
    scaled["feature_size"] = node
    scaled["node"] = node
    out = dict(chip)
    out["technology"] = scaled
    for section, rules in section_rules.items():
        if isinstance(chip.get(section), dict):
            out[section] = rescale(chip[section], rules, node, fs)
    return out
