"""ppa: area, latency, energy and accuracy of spintronic in-memory-computing accelerators.

The public API (imported on first use, so `import ppa` stays fast):

    load_chip(path_or_name)            hardware spec (hwspecs/*.yaml or a shipped name such as "dw_40nm")
    load_network(path)                 network from YAML, NeuroSim NetWork.csv, ONNX or PyTorch (.pt2, .pt)
    from_torch(module, example_input)  network from a torch.nn.Module via torch.export (pip install "ppa[torch]")
    estimate(network, chip, mode)      per-layer, per-image latency/energy and chip area (Dhull Tables III-V)
    compare(network, chips, mode)      side by side with ratios (Dhull Table VI)
    sweep(network, grid, mode, out)    design-space sweep as array computations, Pareto-marked
    load_grid(path)                    a sweep grid file
    sample_estimate(network, chip, mode, samples)   Monte Carlo over the spec's uncertain values (intervals)
    sensitivity(network, chip, mode)   elasticities, Sobol indices and tornado swings of the spec's fields
"""

from __future__ import annotations

from importlib import import_module

_API = {
    "load_chip": ("ppa.spec.load", "load_chip"),
    "load_network": ("ppa.workload", "load_network"),
    "from_torch": ("ppa.workload.torch", "from_torch"),
    "estimate": ("ppa.cost.estimate", "estimate"),
    "compare": ("ppa.explore.compare", "compare"),
    "sweep": ("ppa.explore.sweep", "run_sweep"),
    "load_grid": ("ppa.explore.sweep", "load_grid"),
    "sample_estimate": ("ppa.explore.uncertainty", "sample_estimate"),
    "sensitivity": ("ppa.explore.sensitivity", "sensitivity"),
    "PpaError": ("ppa.errors", "PpaError"),
}
__all__ = sorted(_API) + ["__version__"]


def _version() -> str:
    """The installed distribution's version (importlib.metadata is slow to import: looked up on first use)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ppa")
    except PackageNotFoundError:  # running from a source tree without installing
        return "0+unknown"


def __getattr__(name: str):
    if name == "__version__":
        globals()[name] = value = _version()
        return value
    if name in _API:
        module, attr = _API[name]
        value = getattr(import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ppa' has no attribute {name!r}")
