"""Dhull et al.'s accuracy experiments on a data set that ships with scikit-learn (Fig. 4, Tables VII and X analogues).

The paper trains VGG-8 on CIFAR-10, which would have to be downloaded; here the same experiments run on
scikit-learn's 8x8 digits (1,797 images, 10 classes, shipped inside the package, so nothing downloads and a numpy
CNN trains in seconds on 2 cores). Absolute accuracies therefore differ from the paper's; the trends are what
carries over, and the paper's own numbers are returned under "paper" for a side-by-side look.

Per seed (independent initialisation, batch order, stochastic rounding, DW writes and variation draws):

- float baseline: the network trained in float32 (Fig. 4's 32-bit curve);
- DW: quantisation-aware on-chip training on 5-state DW arrays with the given device (Fig. 4's 5-state curve);
  also off-chip training + transfer onto the arrays ("dw_offchip_accuracy");
- ADC sweep (Table VII): the on-chip-trained states read out with B-bit ADCs (fresh programming, calibrated
  range). With ``full=True`` the network is also *trained* on-chip at each B, as in the paper;
- variation sweep (Table X): the trained states programmed again with a relative conductance spread v, several
  programmings per seed, inference accuracy.

Accuracies are fractions in [0, 1]; "std" is the standard deviation over seeds (and programmings).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ppa.errors import PpaError

DATA = Path(__file__).resolve().parents[1] / "data"
DATASETS = ("digits",)


def _paper_table(name: str, key: str) -> list[dict[str, float]]:
    with open(DATA / name) as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    return [{key: float(r[next(iter(r))]), "accuracy": float(r["accuracy_pct"]) / 100} for r in rows]


def paper_reference() -> dict[str, Any]:
    """Dhull et al.'s VGG-8/CIFAR-10 figures: Table VII (ADC bits), Table X (variation), the text's 90.4 % DW."""
    return {
        "source": "Dhull et al., VGG-8 on CIFAR-10 (Tables VII and X; sec. IV text)",
        "dw_accuracy": 0.904,
        "adc_sweep": sorted(_paper_table("dhull_table7_adc_accuracy.csv", "adc_bits"), key=lambda r: r["adc_bits"]),
        "variation_sweep": _paper_table("dhull_table10_variation_accuracy.csv", "variation_pct"),
    }


def _load(dataset: str):
    if dataset not in DATASETS:
        raise PpaError(f"unknown data set {dataset!r}; expected one of: {', '.join(DATASETS)}", field="dataset")
    from ppa.accuracy.datasets import load_digits

    return load_digits()


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    return float(v.mean()), float(v.std(ddof=1) if len(v) > 1 else 0.0)


def run_qnn(
    dataset: str = "digits",
    seeds: int = 3,
    full: bool = False,
    adc_bits: Sequence[int] = (4, 5, 6, 7, 8, 9, 10),
    variations_pct: Sequence[float] = (0, 10, 20, 30, 40, 50),
    device: Any = None,
    network: str = "cnn",
    epochs: int | None = None,
    programmings: int | None = None,
) -> dict[str, Any]:
    """Fig. 4 / Table VII / Table X analogues on a shipped data set: float vs 5-state DW, ADC bits, variation."""
    from ppa.accuracy import qnn
    from ppa.accuracy.dw_synapse import DwDeviceParams

    if seeds < 1:
        raise PpaError(f"need at least one seed, got {seeds}", field="seeds")
    params = device if device is not None else DwDeviceParams()
    if not isinstance(params, DwDeviceParams):
        params = DwDeviceParams.from_chip(params)
    data = _load(dataset)
    epochs = epochs or (40 if full else 15)
    float_epochs = epochs if full else max(1, epochs * 2 // 3)
    programmings = programmings or (5 if full else 2)
    lr = {"cnn": 0.2, "mlp": 1.0}.get(network, 0.2)  # float-equivalent SGD rates, batch 128
    xtr, ytr, xte, yte = data.x_train, data.y_train, data.x_test, data.y_test
    t0 = time.perf_counter()

    floats, dws, offchip, unquant = [], [], [], []
    adc_acc: dict[int, list[float]] = {int(b): [] for b in adc_bits}
    var_acc: dict[float, list[float]] = {float(v): [] for v in variations_pct}
    for seed in range(seeds):
        rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
        cal = xtr[rngs[0].choice(len(xtr), min(256, len(xtr)), replace=False)]
        fnet = qnn.train_float(qnn.build(network, rngs[0]), xtr, ytr, rngs[0], epochs=float_epochs)
        floats.append(fnet.accuracy(xte, yte))
        offchip.append(qnn.transfer(fnet, params, rngs[1], cal).accuracy(xte, yte))
        dnet = qnn.train_on_chip(network, params, xtr, ytr, rngs[2], epochs=epochs, lr=lr)
        dws.append(dnet.accuracy(xte, yte))
        ideal = params.replace(adc_bits=None)
        unquant.append(qnn.reprogram(dnet, ideal, rngs[3], cal).accuracy(xte, yte))
        for b in adc_acc:
            p = params.replace(adc_bits=b)
            if full:
                net_b = qnn.train_on_chip(network, p, xtr, ytr, rngs[4], epochs=epochs, lr=lr)
            else:
                net_b = qnn.reprogram(dnet, p, rngs[4], cal)
            adc_acc[b].append(net_b.accuracy(xte, yte))
        for v in var_acc:
            p = params.replace(variation=v / 100)
            for _ in range(programmings):
                var_acc[v].append(qnn.reprogram(dnet, p, rngs[5], cal).accuracy(xte, yte))

    f_mean, f_std = _mean_std(floats)
    d_mean, d_std = _mean_std(dws)
    o_mean, o_std = _mean_std(offchip)
    u_mean, u_std = _mean_std(unquant)
    return {
        "float_accuracy": f_mean,
        "dw_accuracy": d_mean,
        "adc_sweep": [dict(zip(("adc_bits", "accuracy", "std"), (b, *_mean_std(a)))) for b, a in adc_acc.items()],
        "variation_sweep": [dict(zip(("variation_pct", "accuracy", "std"), (v, *_mean_std(a))))
                            for v, a in var_acc.items()],
        "float_std": f_std,
        "dw_std": d_std,
        "dw_offchip_accuracy": o_mean,
        "dw_offchip_std": o_std,
        "array_unquantised_accuracy": u_mean,
        "array_unquantised_std": u_std,
        "dataset": data.name,
        "network": network,
        "seeds": seeds,
        "full": full,
        "epochs": epochs,
        "float_epochs": float_epochs,
        "programmings_per_variation": programmings,
        "adc_sweep_trains_per_bits": full,
        "device": {
            "conductances_S": list(params.conductances_S),
            "variation": params.variation,
            "write_transition": params.potentiation.round(6).tolist(),
            "write_transition_is_default": params.write_transition is None,
            "adc_bits": params.adc_bits,
            "dac_bits": params.dac_bits,
            "rows": params.rows,
            "bit_serial": params.bit_serial,
        },
        "paper": paper_reference(),
        "seconds": round(time.perf_counter() - t0, 2),
    }
