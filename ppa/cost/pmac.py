"""Probabilistic MAC costing (SAND2022-13142 Sec. 3.0.6, Fig. 3-8A) and the cost of a BNN prediction.

An N x N probabilistic MVM drives every row with one DAC level (a shared DAC serves `rows_per_dac` rows),
reads every cell for t_read (bipolar pulse on the Bayes-MTJ, unipolar +/- on the DW pair), integrates each
column's current on a capacitor through a current conveyor (CC), and converts each column with an ADC.
Per MVM:

- cells:   N^2 * V^2 <x^2> * (G_bayes + 2 G_dw) * t_read (mean conductances between parallel and antiparallel)
- CC:      N * Vdd * (I_bias + I_col) * t_read, with I_col = N * V * <x> * (G_bayes + G_dw): the CC sources
           the column current from the supply, which is why higher MTJ resistances help (Sec. 3.0.6)
- DAC:     N row levels (row DAC of the component library)
- ADC:     N conversions (SAR ADC of the component library)

The CMOS baseline makes a `random_bits` random value per weight per sample with a true RNG (Bae et al.)
and multiplies digitally; Fig. 3-8A's dashed line counts only those two (reading the mean weight and
accumulating are left out, which favours the baseline).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ppa.cost.components.converters import CurrentConveyor, RowDac, SarAdc
from ppa.cost.components.digital import Adder, CmosTrng
from ppa.workload.network import Network
from ppa.spec.pmac import PmacSpec

BREAKDOWN = ("cells", "current_conveyor", "dac", "adc")


def _mean_conductance(r_parallel: float, tmr: float) -> float:
    """Mean of the parallel and antiparallel conductances, G_p (1 + 1/(1+TMR)) / 2."""
    return 0.5 / r_parallel * (1.0 + 1.0 / (1.0 + tmr))


@dataclass(frozen=True)
class MvmCost:
    """Energy (J) by component, latency (s) and area (m^2) of one probabilistic MVM on rows x cols cells."""

    energy: dict[str, np.ndarray]
    latency: np.ndarray
    area: dict[str, np.ndarray]

    @property
    def total_energy(self):
        return sum(self.energy.values())


def mvm_cost(spec: PmacSpec, rows, cols, bayes: bool = True) -> MvmCost:
    """Cost of one probabilistic MVM with `rows` driven rows and `cols` read columns (arrays broadcast).

    `bayes=False` reads the DW pair only (no pulse on the Bayes-MTJ rows): the deterministic first layer
    and the low bit slice of 8-bit means (Sec. 3.0.3)."""
    rows = np.asarray(rows, dtype=np.float64)
    cols = np.asarray(cols, dtype=np.float64)
    tech, rd = spec.technology, spec.read
    g_b = _mean_conductance(spec.bayes_mtj.resistance_parallel, spec.bayes_mtj.tmr) if bayes else 0.0
    g_dw = _mean_conductance(spec.dw_pair.resistance_parallel, spec.dw_pair.tmr)
    v2x2 = rd.voltage**2 * rd.input_mean_square
    cells = rows * cols * v2x2 * (g_b + 2.0 * g_dw) * rd.pulse
    i_col = rows * rd.voltage * math.sqrt(rd.input_mean_square) * (g_b + g_dw)
    cc = CurrentConveyor(tech.vdd, spec.integrator.bias_current, spec.integrator.conveyor_area)
    conveyor = cols * cc.integrate_energy(i_col, rd.pulse)
    dac = RowDac.from_spec(tech)
    adc = SarAdc.from_spec(spec.adc, tech)
    energy = {"cells": cells, "current_conveyor": conveyor, "dac": rows * dac.drive_energy,
              "adc": cols * adc.convert_energy}
    arr = spec.array
    latency = (np.minimum(rows, arr.rows_per_dac) * arr.dac_conversion_time + rd.pulse
               + np.minimum(cols, arr.columns_per_adc) * adc.convert_latency)
    # the integration capacitor must hold the largest column charge: C = I_col * t_read / swing
    cap = i_col * rd.pulse / spec.integrator.voltage_swing
    area = {
        "cells": rows * cols * arr.cell_area,
        "current_conveyor": cols * (cc.area + cap / spec.integrator.capacitor_density),
        "dac": np.ceil(rows / arr.rows_per_dac) * dac.area * arr.rows_per_dac ** 0.5,
        "adc": np.ceil(cols / arr.columns_per_adc) * adc.area,
    }
    return MvmCost(energy, latency, area)


def cmos_per_mac(spec: PmacSpec) -> dict[str, float]:
    """Energy of one probabilistic MAC the CMOS way: a TRNG value plus a digital multiply (Fig. 3-8A line)."""
    c = spec.cmos
    trng = CmosTrng(c.trng_energy_per_bit, c.trng_bit_rate, c.trng_area)
    return {"trng": float(trng.value_energy(c.random_bits)), "multiply": c.multiply_energy}


def energy_per_mac_curves(spec: PmacSpec, sizes) -> list[dict]:
    """Fig. 3-8A: energy per probabilistic MAC of an N x N MVM for every resistance case, and the CMOS line."""
    n = np.asarray(sizes, dtype=np.float64)
    curves = []
    for case in [spec] + [spec.with_resistances(v) for v in spec.variants]:
        cost = mvm_cost(case, n, n)
        macs = n * n
        curves.append({
            "name": case.name, "kind": "spintronic",
            "bayes_mtj_resistance_ohm": case.bayes_mtj.resistance_parallel,
            "dw_resistance_ohm": case.dw_pair.resistance_parallel,
            "energy_per_mac_j": (cost.total_energy / macs).tolist(),
            "breakdown": {k: (v / macs).tolist() for k, v in cost.energy.items()},
            "latency_per_mvm_s": np.broadcast_to(cost.latency, n.shape).tolist(),
            "area_m2": sum(cost.area.values()).tolist(),
            "area_breakdown_m2": {k: np.broadcast_to(v, n.shape).tolist() for k, v in cost.area.items()},
        })
    cm = cmos_per_mac(spec)
    c = spec.cmos
    values_per_s = c.trngs * c.trng_bit_rate / c.random_bits
    curves.append({
        "name": "CMOS TRNG + multiply", "kind": "cmos_trng",
        "energy_per_mac_j": [sum(cm.values())] * len(n),
        "breakdown": {k: [v] * len(n) for k, v in cm.items()},
        "latency_per_mvm_s": (n * n / values_per_s).tolist(),
        "area_m2": [c.trngs * c.trng_area + n_i * c.multiply_area for n_i in n.tolist()],
    })
    return curves


@dataclass(frozen=True)
class BnnCost:
    """Energy (J) and latency (s) of one prediction of a network, by design."""

    network: str
    hardware: str
    samples: int
    mu_bits: int
    rows: list[dict]          # one per design: name, energy_j, latency_s, per-layer energy
    layers: list[dict]


def bnn_prediction_cost(net: Network, spec: PmacSpec, samples: int = 100, mu_bits: int | None = None) -> BnnCost:
    """Cost of one BNN prediction with `samples` samples on probabilistic arrays (Sec. 3.0.3 mapping).

    Each weight's mean sits on a DW pair (mu_bits <= 4: one pair; 8: two bit-sliced pairs, the Bayes-MTJ
    on the high pair only), its sigma on the Bayes-MTJ; the first layer is deterministic (no Bayes pulses,
    so it is computed once and reused by every sample); biases are added digitally. Arrays are
    spec.array.size square; a layer's tiles work in parallel, its OFM positions in sequence.
    Compared with the DNN on the same hardware (one pass, no Bayes pulses) and with a CMOS design that
    computes means on the same arrays and adds sigma * eps * x with a TRNG value and a multiply per MAC.
    """
    mu_bits = mu_bits or spec.dw_pair.mu_bits
    slices = math.ceil(mu_bits / 4)
    n_arr = spec.array.size
    adder = Adder.from_spec(16, spec.technology)
    cm = cmos_per_mac(spec)
    c = spec.cmos
    values_per_s = c.trngs * c.trng_bit_rate / c.random_bits
    totals = {"spintronic_bnn": [0.0, 0.0], "dnn_same_hardware": [0.0, 0.0], "cmos_trng_bnn": [0.0, 0.0]}
    layers = []
    for i, layer in enumerate(net.mvm_layers):
        k2d = layer.kernel**2 * layer.in_channels
        row_tiles, col_tiles = math.ceil(k2d / n_arr), math.ceil(layer.out_channels / n_arr)
        rows, cols = k2d / row_tiles, layer.out_channels / col_tiles
        positions = layer.out_size**2
        mvms = positions * row_tiles * col_tiles
        first = i == 0
        noisy = mvm_cost(spec, rows, cols, bayes=not first)
        plain = mvm_cost(spec, rows, cols, bayes=False)
        per_pass_noisy = mvms * (float(noisy.total_energy) + (slices - 1) * float(plain.total_energy))
        per_pass_plain = mvms * slices * float(plain.total_energy)
        bias = positions * layer.out_channels * float(adder.add_energy)
        t_pass = positions * float(noisy.latency)                    # slices and tiles run in parallel
        passes = 1 if first else samples
        spin_e = passes * (per_pass_noisy + bias)
        dnn_e = per_pass_plain + bias
        trng_macs = 0 if first else layer.macs
        cmos_e = passes * (per_pass_plain + bias + trng_macs * (cm["trng"] + cm["multiply"]))
        cmos_t = passes * max(t_pass, trng_macs / values_per_s)
        for key, e, t in (("spintronic_bnn", spin_e, passes * t_pass), ("dnn_same_hardware", dnn_e, t_pass),
                          ("cmos_trng_bnn", cmos_e, cmos_t)):
            totals[key][0] += e
            totals[key][1] += t
        layers.append({"name": layer.name, "mvms_per_pass": mvms, "passes": passes,
                       "spintronic_bnn_energy_j": spin_e, "dnn_energy_j": dnn_e, "cmos_trng_bnn_energy_j": cmos_e})
    labels = {"spintronic_bnn": f"spintronic BNN ({spec.name}), {samples} samples",
              "dnn_same_hardware": "DNN on the same arrays, 1 pass",
              "cmos_trng_bnn": f"CMOS TRNG BNN, {samples} samples"}
    rows = [{"design": key, "label": labels[key], "energy_j": e, "latency_s": t} for key, (e, t) in totals.items()]
    return BnnCost(net.name, spec.name, samples, mu_bits, rows, layers)
