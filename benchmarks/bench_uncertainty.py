"""Monte Carlo speed: 1,000 samples of a VGG-8 training estimate (draw, validate every draw, price as one array
computation) vs one `estimate` call per sample, plus `ppa sensitivity` and a compare with intervals.

Run: python benchmarks/bench_uncertainty.py [--samples 1000] [--repeats 5]   (prints figures; never asserts a time)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _timing import best_of  # noqa: E402

from ppa.cost.estimate import estimate  # noqa: E402
from ppa.explore.sensitivity import sensitivity, uncertain_units  # noqa: E402
from ppa.explore.uncertainty import compare_uncertain, sample_estimate, sample_points, validate_draws  # noqa: E402
from ppa.spec import load_chip  # noqa: E402
from ppa.spec.distributions import distributions_of, draw, set_at  # noqa: E402
from ppa.workload import load_network  # noqa: E402


def best(fn, repeats: int) -> float:
    """Best time over `repeats` calls after one warm-up call."""
    fn()
    return best_of(fn, repeats)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    n = args.samples
    net = load_network(ROOT / "networks" / "vgg8.yaml")
    chip = load_chip("dw_40nm")
    dists = distributions_of(chip)
    draws = draw(dists, n, 0)

    t_all = best(lambda: sample_estimate(net, chip, "training", n, 0), args.repeats)
    t_draw = best(lambda: draw(dists, n, 0), args.repeats)
    t_val = best(lambda: validate_draws(chip, draws, dists), args.repeats)
    t_price = best(lambda: sample_points(net, chip, draws, "training", n), args.repeats)
    print(f"VGG-8 training on dw_40nm, {len(uncertain_units(dists))} uncertain inputs ({len(dists)} fields), best of {args.repeats}:")
    print(f"  {n:,} samples: {t_all:.3f} s in total (draw {t_draw * 1e3:.1f} ms, validate every draw {t_val * 1e3:.1f} ms, "
          f"price as one array computation {t_price * 1e3:.1f} ms)")

    data = chip.model_dump()
    k = 50

    def loop():
        for i in range(k):
            for path, values in draws.items():
                set_at(data, tuple(int(p) if p.isdigit() else p for p in path.split(".")), float(values[i]))
            estimate(net, type(chip).model_validate(data, context={"feature_size": chip.technology.feature_size}), "training")

    t_loop = best(loop, 1) / k
    print(f"  one estimate() per sample instead: {t_loop * 1e3:.2f} ms/sample = {t_loop * n:.2f} s for {n:,} samples "
          f"({t_loop * n / t_all:.0f}x slower)")
    chips = [chip, load_chip("sram_40nm"), load_chip("sram3b_40nm")]
    t_cmp = best(lambda: compare_uncertain(net, chips, "training", n, 0), max(1, args.repeats // 2))
    print(f"  compare of 3 designs with {n:,} shared samples: {t_cmp:.3f} s")
    t_sens = best(lambda: sensitivity(net, chip, "training", n, 0), max(1, args.repeats // 2))
    print(f"  sensitivity (elasticities of {len(sensitivity(net, chip, 'training', 20).table)} fields, Sobol, tornado): {t_sens:.3f} s")


if __name__ == "__main__":
    main()
