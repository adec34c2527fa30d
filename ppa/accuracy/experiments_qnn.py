"""Dhull et al.'s accuracy experiments on a data set that ships with scikit-learn (Fig. 4, Tables VII and X analogues).

The paper trains VGG-8 on CIFAR-10, which would have to be downloaded; here the same experiments run on
scikit-learn's 8x8 digits (1,797 images, 10 classes, shipped inside the package, so nothing downloads and a numpy
CNN of 3 weight layers trains in about a second on one core). Absolute accuracies therefore differ from the
paper's; the trends are what carries over, and the paper's own numbers are returned under "paper".

Per seed (independent initialisation, batch order, stochastic rounding, DW writes and variation draws):

- float baseline: the network trained in float32 (Fig. 4's 32-bit curve);
- DW: quantisation-aware on-chip training on 5-state DW arrays with the given device (Fig. 4's 5-state curve);
  also off-chip training + transfer onto the arrays ("dw_offchip_accuracy");
- ADC sweep (Table VII): on-chip training from scratch *at* each ADC precision (the ADC in the loop,
  straight-through; the paper's protocol); "adc_sweep_posthoc": a network trained with an ideal ADC, then read
  through B bits; "adc_sweep_finetuned": that network trained a few more epochs on chip with the B-bit ADC in the
  loop (what ADC-aware training buys over post-hoc quantisation);
- variation by mechanism (Table X): device-to-device spread fixed per chip (on-chip training sees it; off-chip
  training + transfer does not), cycle-to-cycle spread when the trained states are written again, read noise
  per MVM; plus the d2d spread that Table IX's process parameters imply (`dw_synapse.table_ix_monte_carlo`).
  "variation_sweep" is the d2d, on-chip-trained row: the mechanism and training of Table X.

Accuracies are fractions in [0, 1]; "std" is the standard deviation over seeds (and programmings).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ppa.accuracy.qnn import one_blas_thread as _one_blas_thread
from ppa.accuracy.cache import cache_dir, cached, source_hash  # noqa: F401 (cache_dir: the public location)
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


MECHANISMS = ("d2d_on_chip", "d2d_off_chip", "c2c", "read_noise")


def _explain(network: str, adc_range: str = "full_scale") -> list[str]:
    """What differs from the paper, printed with every run."""
    return [
        "data set: scikit-learn 8x8 digits (1,797 images) instead of CIFAR-10; network: "
        + ("conv8-conv16-pool-fc, 3 weight layers, 3.8k weights" if network == "cnn" else "MLP 64-64-10")
        + " instead of VGG-8 (8 weight layers, millions of weights); absolute accuracies differ, trends carry over",
        "ADC reference fixed at each subarray's full-scale current (rows x max input x max |w|): a signal needs "
        "about log2(rows) bits of headroom, so 4 bits read most columns as 0 (Table VII's collapse); with a "
        "data-calibrated reference (adc_range='calibrated') most of the accuracy survives 4 bits"
        if adc_range == "full_scale" else
        f"ADC reference set from the data ({'the nominal, noiseless array' if adc_range == 'ideal' else 'the real array'}"
        " on a calibration batch), not the subarray's full-scale current, so low ADC bits lose less than Table VII's "
        "fixed-reference collapse",
        "layers here have 9, 72 and 256 rows (the paper's VGG-8 fills 128-row subarrays), so the bits a layer "
        "needs differ; the FC layer's 2 subarrays each get their own ADC range",
    ]


def _with_noise(params, mechanism: str, sigma: float):
    """The device with one mechanism's relative sigma set (all others as given)."""
    from ppa.spec import Noise

    mech = params.mechanisms.model_copy()
    key = {"d2d_on_chip": "device_to_device", "d2d_off_chip": "device_to_device", "c2c": "cycle_to_cycle",
           "read_noise": "read_noise"}[mechanism]
    mech = mech.model_copy(update={key: Noise(sigma=sigma)})
    return params.replace(mechanisms=mech, variation=0.0 if key == "cycle_to_cycle" else params.variation)


@_one_blas_thread
def run_qnn(
    dataset: str = "digits",
    seeds: int = 2,
    full: bool = False,
    adc_bits: Sequence[int] = (4, 5, 6, 7, 8, 9, 10),
    variations_pct: Sequence[float] = (0, 10, 20, 30, 40, 50),
    device: Any = None,
    network: str = "cnn",
    epochs: int | None = None,
    programmings: int | None = None,
    mechanisms: Sequence[str] = MECHANISMS,
    table_ix: bool = True,
) -> dict[str, Any]:
    """Fig. 4 / Table VII / Table X analogues on a shipped data set: float vs 5-state DW, ADC bits (in the
    loop and post hoc), variation by mechanism, and Table IX's implied d2d spread."""
    from ppa.accuracy import qnn
    from ppa.accuracy.dw_synapse import DwDeviceParams, table_ix_monte_carlo

    if seeds < 1:
        raise PpaError(f"need at least one seed, got {seeds}", field="seeds")
    unknown = set(mechanisms) - set(MECHANISMS)
    if unknown:
        raise PpaError(f"unknown variation mechanism(s) {sorted(unknown)}; expected: {', '.join(MECHANISMS)}",
                       field="mechanisms")
    params = device if device is not None else DwDeviceParams()
    if not isinstance(params, DwDeviceParams):
        params = DwDeviceParams.from_chip(params)
    data = _load(dataset)
    epochs = epochs or (40 if full else 12)
    float_epochs = epochs if full else max(1, epochs * 2 // 3)
    programmings = programmings or (5 if full else 2)
    lr = {"cnn": 0.2, "mlp": 1.0}.get(network, 0.2)  # float-equivalent SGD rates, batch 128
    xtr, ytr, xte, yte = data.x_train, data.y_train, data.x_test, data.y_test
    t0 = time.perf_counter()

    def on_chip(p, rng):
        return qnn.train_on_chip(network, p, xtr, ytr, rng, epochs=epochs, lr=lr)

    floats, dws, offchip, unquant, ideal_acc = [], [], [], [], []
    adc_acc: dict[int, list[float]] = {int(b): [] for b in adc_bits}
    adc_post: dict[int, list[float]] = {int(b): [] for b in adc_bits}
    adc_tuned: dict[int, list[float]] = {int(b): [] for b in adc_bits}
    mech_acc: dict[tuple[str, float], list[float]] = {(m, float(v)): [] for m in mechanisms for v in variations_pct}
    tix_on, tix_off = [], []
    for seed in range(seeds):
        rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
        cal = xtr[rngs[0].choice(len(xtr), min(256, len(xtr)), replace=False)]
        fnet = qnn.train_float(qnn.build(network, rngs[0]), xtr, ytr, rngs[0], epochs=float_epochs)
        floats.append(fnet.accuracy(xte, yte))
        offchip.append(qnn.transfer(fnet, params, rngs[1], cal).accuracy(xte, yte))
        dnet = on_chip(params, rngs[2])
        dws.append(dnet.accuracy(xte, yte))
        unquant.append(qnn.reprogram(dnet, params.replace(adc_bits=None), rngs[3], cal, same_chip=True)
                       .accuracy(xte, yte))
        ideal = on_chip(params.replace(adc_bits=None), rngs[4]) if adc_bits else None
        if ideal is not None:
            ideal_acc.append(ideal.accuracy(xte, yte))
        for b in adc_acc:  # ADC in the loop: trained at b bits; post hoc: trained without ADC, read at b bits
            net_b = dnet if b == params.adc_bits else on_chip(params.replace(adc_bits=b), rngs[4])
            adc_acc[b].append(net_b.accuracy(xte, yte))
            adc_post[b].append(qnn.reprogram(ideal, params.replace(adc_bits=b), rngs[4], cal, same_chip=True)
                               .accuracy(xte, yte))
            adc_tuned[b].append(qnn.train_on_chip(network, params.replace(adc_bits=b), xtr, ytr, rngs[4],
                                                  epochs=max(2, epochs // 3), lr=lr / 4, init=ideal)
                                .accuracy(xte, yte))
        for (m, v), acc in mech_acc.items():
            p = _with_noise(params, m, v / 100)
            if m == "d2d_on_chip":  # a fresh chip with its own d2d draw; training sees it
                acc.append(dnet.accuracy(xte, yte) if v == 0 else on_chip(p, rngs[5]).accuracy(xte, yte))
                continue
            for _ in range(programmings):
                if m == "d2d_off_chip":  # the float network quantised and written onto a fresh chip
                    acc.append(qnn.transfer(fnet, p, rngs[6], cal).accuracy(xte, yte))
                else:  # the trained states written again (c2c drawn) or read with noise, on the same chip
                    acc.append(qnn.reprogram(dnet, p, rngs[6], cal, same_chip=True).accuracy(xte, yte))
        if table_ix:
            p = params.replace(d2d_model="table_ix")
            tix_on.append(on_chip(p, rngs[7]).accuracy(xte, yte))
            tix_off.append(qnn.transfer(fnet, p, rngs[7], cal).accuracy(xte, yte))

    f_mean, f_std = _mean_std(floats)
    d_mean, d_std = _mean_std(dws)
    o_mean, o_std = _mean_std(offchip)
    u_mean, u_std = _mean_std(unquant)
    mech_rows = [dict(mechanism=m, variation_pct=v, **dict(zip(("accuracy", "std"), _mean_std(a))))
                 for (m, v), a in mech_acc.items()]
    headline = [r for r in mech_rows if r["mechanism"] == "d2d_on_chip"] or \
               [r for r in mech_rows if r["mechanism"] == mechanisms[0]]
    mc = table_ix_monte_carlo(params, runs=1000, rng=np.random.default_rng(0))
    mech = params.mechanisms
    return {
        "float_accuracy": f_mean,
        "dw_accuracy": d_mean,
        "adc_sweep": [dict(zip(("adc_bits", "accuracy", "std"), (b, *_mean_std(a)))) for b, a in adc_acc.items()],
        "adc_sweep_posthoc": [dict(zip(("adc_bits", "accuracy", "std"), (b, *_mean_std(a))))
                              for b, a in adc_post.items()],
        "adc_sweep_finetuned": [dict(zip(("adc_bits", "accuracy", "std"), (b, *_mean_std(a))))
                                for b, a in adc_tuned.items()],
        "finetune_epochs": max(2, epochs // 3),
        "ideal_adc_accuracy": _mean_std(ideal_acc)[0] if ideal_acc else None,
        "variation_sweep": [{"variation_pct": r["variation_pct"], "accuracy": r["accuracy"], "std": r["std"]}
                            for r in headline],
        "variation_sweep_mechanism": headline[0]["mechanism"] if headline else None,
        "variation_mechanism": mech_rows,
        "table_ix": {
            "sigma_per_state": [round(x, 4) for x in mc["sigma_per_state"]],
            "nominal_tmr": round(mc["nominal_tmr"], 3),
            "ra_sigma": round(mc["ra_sigma"], 4),
            "runs": mc["runs"],
            "on_chip_accuracy": _mean_std(tix_on)[0] if tix_on else None,
            "on_chip_std": _mean_std(tix_on)[1] if tix_on else None,
            "off_chip_accuracy": _mean_std(tix_off)[0] if tix_off else None,
            "off_chip_std": _mean_std(tix_off)[1] if tix_off else None,
        },
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
        "adc_sweep_trains_per_bits": True,
        "differs_from_paper": _explain(network, params.adc_range),
        "device": {
            "conductances_S": list(params.conductances_S),
            "variation": params.variation,
            "mechanisms": mech.model_dump(),
            "write_transition": params.potentiation.round(6).tolist(),
            "write_transition_is_default": params.write_transition is None,
            "adc_bits": params.adc_bits,
            "adc_range": params.adc_range,
            "adc_code": params.adc_code,
            "dac_bits": params.dac_bits,
            "rows": params.rows,
            "bit_serial": params.bit_serial,
            "adc_per_column": params.adc_per_column,
            "retention_escape": params.retention_escape,
        },
        "paper": paper_reference(),
        "seconds": round(time.perf_counter() - t0, 2),
    }


# ---- one accuracy per design point, cached (for `ppa sweep --accuracy qnn`) ------------------------------------

_SOURCES = ("qnn.py", "crossbar.py", "dw_synapse.py", "quantize.py", "experiments_qnn.py", "datasets.py")


def code_version() -> str:
    """Hash of the QNN model's source files: a cached accuracy is reused only by the code that made it."""
    return source_hash(_SOURCES)


@_one_blas_thread
def qnn_accuracy_for(adc_bits: int, states: int, d2d_sigma: float, seed: int = 0, *, cache: bool = True,
                     epochs: int = 8) -> float:
    """Test accuracy of the digits CNN trained on chip (Table II) with this ADC precision (Table VII), this many DW
    states (Table VIII's range, evenly spaced) and this relative device-to-device sigma (Table X), for one seed.

    Deterministic for its arguments; about a second on one core; cached on disk under `cache_dir()` keyed by the
    arguments and `code_version()` (written to a temporary file, then renamed)."""
    from ppa.accuracy import qnn
    from ppa.accuracy.dw_synapse import DwDeviceParams

    if isinstance(adc_bits, bool) or not isinstance(adc_bits, (int, np.integer)) or not 1 <= adc_bits <= 24:
        raise PpaError(f"adc_bits must be an integer 1..24, got {adc_bits!r}", field="adc_bits")
    if isinstance(states, bool) or not isinstance(states, (int, np.integer)) or not 2 <= states <= 64:
        raise PpaError(f"states must be an integer 2..64, got {states!r}", field="states")
    if not (isinstance(d2d_sigma, (int, float, np.floating)) and 0 <= float(d2d_sigma) < 5):
        raise PpaError(f"d2d_sigma must be a relative sigma in [0, 5), got {d2d_sigma!r}", field="d2d_sigma")
    key = dict(adc_bits=int(adc_bits), states=int(states), d2d_sigma=round(float(d2d_sigma), 6), seed=int(seed),
               epochs=int(epochs), code=code_version())

    def train() -> float:
        from ppa.spec import Noise, Variation

        params = DwDeviceParams(adc_bits=int(adc_bits)).with_states(int(states))
        params = params.replace(mechanisms=Variation(device_to_device=Noise(sigma=float(d2d_sigma))))
        data = _load("digits")
        net = qnn.train_on_chip("cnn", params, data.x_train, data.y_train, np.random.default_rng(seed), epochs=epochs)
        return net.accuracy(data.x_test, data.y_test)

    return cached("qnn_accuracy", key, train) if cache else float(train())
