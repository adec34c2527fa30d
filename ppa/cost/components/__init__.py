"""Component library (DESIGN.md "price" stage): one small class per physical block.

Each component is built from its spec section and the technology, exposes `area` (m^2), and prices each
of its actions as energy (J) and latency (s). Components know nothing of networks. They are found by
name in a registry that a user's package can extend through the `ppa.cost.components` entry-point group.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Callable

from ppa.errors import PpaError

_BUILTIN: dict[str, str] = {
    "adc": "ppa.cost.components.converters:SarAdc",
    "sar_adc": "ppa.cost.components.converters:SarAdc",
    "flash_adc": "ppa.cost.components.converters:FlashAdc",
    "sense_amp_adc": "ppa.cost.components.converters:SenseAmpAdc",
    "offchip_memory": "ppa.cost.components.memory:OffchipMemory",
    "static_power": "ppa.cost.components.memory:StaticPower",
    "dac": "ppa.cost.components.converters:RowDac",
    "dw_mtj_cell": "ppa.cost.components.synapses:DwMtjCell",
    "sram_cell": "ppa.cost.components.synapses:SramCell",
    "bayes_dw_pair_cell": "ppa.cost.components.synapses:ProbabilisticCell",
    "sot_mram_cell": "ppa.cost.components.synapses:SotMramCell",
    "stt_mram_cell": "ppa.cost.components.synapses:SttMramCell",
    "rram_cell": "ppa.cost.components.synapses:RramCell",
    "fefet_cell": "ppa.cost.components.synapses:FefetCell",
    "adder": "ppa.cost.components.digital:Adder",
    "shift_add": "ppa.cost.components.digital:ShiftAdd",
    "register": "ppa.cost.components.digital:Register",
    "mac_unit": "ppa.cost.components.digital:MacUnit",
    "buffer": "ppa.cost.components.digital:Buffer",
    "htree": "ppa.cost.components.interconnect:HTree",
    "current_conveyor": "ppa.cost.components.readout:CurrentConveyor",
    "transimpedance": "ppa.cost.components.readout:Transimpedance",
    "integrator": "ppa.cost.components.readout:ChargeIntegrator",
    "charge_share": "ppa.cost.components.readout:ChargeShare",
    "tdc": "ppa.cost.components.readout:TimeToDigital",
    "cmos_trng": "ppa.cost.components.digital:CmosTrng",
    "vector_unit": "ppa.cost.components.vector:VectorUnit",
}

#: the cell component of each device kind of the spec (`device.kind` -> registry name)
CELL_OF_DEVICE: dict[str, str] = {"dw_mtj": "dw_mtj_cell", "sram": "sram_cell", "bayes_dw_pair": "bayes_dw_pair_cell",
                                  "sot_mram": "sot_mram_cell", "stt_mram": "stt_mram_cell", "rram": "rram_cell",
                                  "fefet": "fefet_cell"}


def _load(target: str) -> Callable:
    import importlib

    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


@lru_cache(maxsize=1)
def registry() -> dict[str, str]:
    """Known component names -> 'module:Class', built-ins plus the `ppa.cost.components` entry points."""
    known = dict(_BUILTIN)
    try:
        from importlib.metadata import entry_points

        for ep in entry_points(group="ppa.components"):
            known[ep.name] = ep.value
    except Exception:  # a broken third-party entry point must not break the built-ins
        pass
    return known


def component(name: str) -> Callable:
    """The component class registered under `name`; unknown names fail with the list and a suggestion."""
    known = registry()
    if name not in known:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise PpaError(f"unknown component {name!r} (known: {', '.join(sorted(known))}){hint}")
    return _load(known[name])
