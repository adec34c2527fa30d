"""Probabilistic-MAC views over the one cost pipeline (SAND2022-13142 Sec. 3.0.6, Fig. 3-8A).

A probabilistic design is an ordinary chip whose cells are a Bayes-MTJ beside a DW-MTJ pair
(`device.kind: bayes_dw_pair`), whose columns integrate on a current conveyor (`readout`), and whose BNN
workload repeats every stochastic layer for S samples (`estimate(..., samples=S)`). This module only asks
that pipeline two questions:

- `energy_per_mac_curves`: one N x N MVM (a one-layer workload on an N x N array), energy per MAC by
  component (cells, current conveyor, DAC, ADC) against the CMOS TRNG line of Fig. 3-8A;
- `bnn_prediction_cost`: one BNN prediction against the DNN on the same arrays and the CMOS TRNG design.

The CMOS baseline makes a `random_bits` random value per weight per sample with a true RNG (Bae et al.) and
multiplies digitally; Fig. 3-8A's dashed line counts only those two (reading the mean weight and accumulating
are left out, which favours the baseline).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ppa.cost.components.digital import Adder, CmosTrng
from ppa.cost.estimate import Prices, chip_area, estimate, price_layers
from ppa.cost.mapping import Geometry, LayerShapes, count_actions
from ppa.errors import PpaError
from ppa.spec.chip import Chip
from ppa.workload.network import Layer, Network

BREAKDOWN = ("cells", "current_conveyor", "dac", "adc")
#: the categories a BNN prediction is compared on, as Fig. 3-8A's per-MAC energy: the cells with their row
#: DACs, the column readout and the ADCs (accumulation, buffers and interconnect are reported by `ppa estimate`,
#: not compared); the bias of every output is added digitally on top (`_bias_energy`)
PREDICTION_CATEGORIES = ("synaptic_array", "readout", "adc")


def _require_probabilistic(chip: Chip) -> None:
    if not getattr(chip, "probabilistic", False):
        raise PpaError("expected a probabilistic-MAC chip (device kind bayes_dw_pair), e.g. pmac_40nm",
                       file=getattr(chip, "_source_path", None), field="device.kind")


@dataclass(frozen=True)
class MvmCost:
    """Energy (J) by component, latency (s) and area (m^2) of one probabilistic MVM on rows x cols cells."""

    energy: dict[str, np.ndarray]
    latency: np.ndarray
    area: dict[str, np.ndarray]

    @property
    def total_energy(self):
        return sum(self.energy.values())


def _one_mvm(chip: Chip, rows: int, cols: int, bayes: bool) -> tuple[dict, float, dict]:
    """Energy by component, latency and area of one rows x cols MVM: a one-layer workload on a rows x cols array."""
    sub = chip.subarray.model_copy(update={"rows": rows, "columns": cols,
                                           "columns_per_adc": min(chip.subarray.columns_per_adc, cols)})
    arr = chip.model_copy(update={"subarray": sub})
    net = Network("mvm", (Layer("mvm", "fc", 1, rows, cols),), "", (1, 1, rows))
    shapes = dataclasses.replace(LayerShapes.from_network(net), stochastic=np.array([bayes]))
    geometry = Geometry.from_chip(arr)
    a = count_actions(shapes, geometry).select(training=False)
    pr = Prices.from_chip(arr)
    area, res = chip_area(a, geometry, pr, arr, shapes)
    priced = price_layers(a, geometry, pr, arr, res["htree_bit_energy"], res["psum_bit_energy"])
    energy = {
        "cells": a.fwd_cell_reads * pr.cell_read_energy + a.fwd_noise_reads * pr.noise_read_energy,
        "current_conveyor": priced["energy_j"]["readout"],
        "dac": a.fwd_row_drives * pr.row_drive_energy,
        "adc": priced["energy_j"]["adc"],
    }
    latency = priced["latency_s"]["synaptic_array"] + priced["latency_s"]["adc"]
    areas = {"cells": area["imc"], "current_conveyor": area["readout"], "adc": area["adc"],
             "periphery": res["periphery_m2"]}
    return ({k: float(np.sum(v)) for k, v in energy.items()}, float(np.sum(latency)),
            {k: float(v) for k, v in areas.items()})


def mvm_cost(chip: Chip, rows, cols, bayes: bool = True) -> MvmCost:
    """Cost of one probabilistic MVM with `rows` driven rows and `cols` read columns (arrays broadcast).

    `bayes=False` reads the DW pair only (no pulse on the Bayes-MTJ rows): the deterministic first layer."""
    _require_probabilistic(chip)
    r, c = np.broadcast_arrays(np.asarray(rows), np.asarray(cols))
    results = [_one_mvm(chip, int(ri), int(ci), bayes) for ri, ci in zip(r.ravel(), c.ravel())]

    def gather(index, key=None):
        values = [res[index] if key is None else res[index][key] for res in results]
        return np.asarray(values, dtype=np.float64).reshape(r.shape)

    return MvmCost({k: gather(0, k) for k in BREAKDOWN}, gather(1), {k: gather(2, k) for k in results[0][2]})


def cmos_per_mac(chip: Chip) -> dict[str, float]:
    """Energy of one probabilistic MAC the CMOS way: a TRNG value plus a digital multiply (Fig. 3-8A line)."""
    c = chip.cmos_baseline
    if c is None:
        raise PpaError("the spec has no cmos_baseline section to compare with", file=getattr(chip, "_source_path", None),
                       field="cmos_baseline")
    trng = CmosTrng(c.trng_energy_per_bit, c.trng_bit_rate, c.trng_area)
    return {"trng": float(trng.value_energy(c.random_bits)), "multiply": c.multiply_energy}


def energy_per_mac_curves(chip: Chip, sizes) -> list[dict]:
    """Fig. 3-8A: energy per probabilistic MAC of an N x N MVM for every resistance case, and the CMOS line."""
    _require_probabilistic(chip)
    n = np.asarray(sizes, dtype=np.float64)
    curves = []
    for case in [chip] + [chip.with_resistances(v) for v in chip.variants]:
        cost = mvm_cost(case, n, n)
        macs = n * n
        curves.append({
            "name": case.name, "kind": "spintronic",
            "bayes_mtj_resistance_ohm": case.device.bayes_mtj.resistance_parallel,
            "dw_resistance_ohm": case.device.dw_pair.resistance_parallel,
            "energy_per_mac_j": (cost.total_energy / macs).tolist(),
            "breakdown": {k: (v / macs).tolist() for k, v in cost.energy.items()},
            "latency_per_mvm_s": cost.latency.tolist(),
            "area_m2": sum(cost.area.values()).tolist(),
            "area_breakdown_m2": {k: v.tolist() for k, v in cost.area.items()},
        })
    cm = cmos_per_mac(chip)
    c = chip.cmos_baseline
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


def _per_layer(est, quantity: str) -> np.ndarray:
    return est.per_layer(quantity)[list(PREDICTION_CATEGORIES)].sum(axis=1).to_numpy()


def _bias_energy(net: Network, chip: Chip, passes: np.ndarray) -> np.ndarray:
    """Digital bias additions of every layer: one partial-sum-width add per output and pass."""
    adder = Adder.from_spec(chip.precision.partial_sum_bits, chip.technology)
    outputs = np.array([float(la.outputs) for la in net.mvm_layers])
    return passes * outputs * float(adder.add_energy)


def bnn_prediction_cost(net: Network, chip: Chip, samples: int = 100, mu_bits: int | None = None) -> BnnCost:
    """Cost of one BNN prediction with `samples` samples on probabilistic arrays (Sec. 3.0.3 mapping).

    Each weight's mean sits on a DW pair (mu_bits <= 4: one pair; 8: two bit-sliced pairs, the Bayes-MTJ on the
    high pair only), its sigma on the Bayes-MTJ; the first layer is deterministic (no Bayes pulses, so it is
    computed once and reused by every sample). Compared with the DNN on the same hardware (one pass, no Bayes
    pulses) and with a CMOS design that computes means on the same arrays and adds sigma * eps * x with a TRNG
    value and a multiply per MAC. All three come from `estimate` on the same chip.
    """
    _require_probabilistic(chip)
    if mu_bits is not None:
        chip = chip.with_mean_bits(mu_bits)
    mu_bits = chip.device.dw_pair.mu_bits
    spin = estimate(net, chip, "inference", samples=samples)
    dnn = estimate(net, chip, "inference")
    cm = cmos_per_mac(chip)
    c = chip.cmos_baseline
    values_per_s = c.trngs * c.trng_bit_rate / c.random_bits
    layers_ = net.mvm_layers
    passes = np.array([1.0] + [float(samples)] * (len(layers_) - 1))
    trng_macs = np.array([0.0] + [float(la.macs) for la in layers_[1:]])
    spin_e = _per_layer(spin, "energy_j") + _bias_energy(net, chip, passes)
    dnn_e = _per_layer(dnn, "energy_j") + _bias_energy(net, chip, np.ones_like(passes))
    spin_t, dnn_t = _per_layer(spin, "latency_s"), _per_layer(dnn, "latency_s")
    cmos_e = passes * dnn_e + passes * trng_macs * (cm["trng"] + cm["multiply"])
    cmos_t = passes * np.maximum(dnn_t, trng_macs / values_per_s)
    totals = {"spintronic_bnn": (spin_e.sum(), spin_t.sum()), "dnn_same_hardware": (dnn_e.sum(), dnn_t.sum()),
              "cmos_trng_bnn": (cmos_e.sum(), cmos_t.sum())}
    layers = [{"name": la.name, "passes": int(p), "spintronic_bnn_energy_j": float(se), "dnn_energy_j": float(de),
               "cmos_trng_bnn_energy_j": float(ce)}
              for la, p, se, de, ce in zip(layers_, passes, spin_e, dnn_e, cmos_e)]
    labels = {"spintronic_bnn": f"spintronic BNN ({chip.name}), {samples} samples",
              "dnn_same_hardware": "DNN on the same arrays, 1 pass",
              "cmos_trng_bnn": f"CMOS TRNG BNN, {samples} samples"}
    rows = [{"design": key, "label": labels[key], "energy_j": float(e), "latency_s": float(t)}
            for key, (e, t) in totals.items()]
    return BnnCost(net.name, chip.name, samples, mu_bits, rows, layers)
