"""Stage 1, spec: the pydantic models of a design, read from YAML with line numbers and units, validated once.

Imports only `ppa.errors`. Everything after this stage trusts what it receives.

- `units`     quantities with units (`0.5 ns`, `350 F^2`) -> SI floats
- `yamlio`    YAML with the line of every value, `extends:` inheritance
- `sections`  parts every design kind shares: strict base, technology, ADC, variation by mechanism
- `technology` node scaling 130-7 nm: per-node tables and the rule each technology constant follows
- `chip`      the chip: Dhull's hierarchy with a DW-MTJ, SRAM, probabilistic (Bayes-MTJ + DW pair), SOT-/STT-MRAM,
              RRAM or FeFET cell
- `load`      file or shipped name -> validated spec, errors naming file, line and field
"""

from ppa.spec.chip import (
    Chip,
    CmosBaseline,
    CurrentConveyorReadout,
    DwMtjDevice,
    FefetDevice,
    Hierarchy,
    Precision,
    ProbabilisticCell,
    ResistanceVariant,
    RramDevice,
    SotMramDevice,
    SramDevice,
    SttMramDevice,
    Subarray,
    Training,
)
from ppa.spec.load import SHIPPED, chip_from_dict, load_chip, load_macro, resolve_spec_path
from ppa.spec.sections import Adc, Drift, Fraction, Noise, PosInt, Strict, Technology, Variation

__all__ = [
    "Adc", "Chip", "CmosBaseline", "CurrentConveyorReadout", "Drift", "DwMtjDevice", "FefetDevice", "Fraction",
    "Hierarchy", "Noise", "PosInt", "Precision", "ProbabilisticCell", "ResistanceVariant", "RramDevice", "SHIPPED",
    "SotMramDevice", "SramDevice", "SttMramDevice", "Strict", "Subarray", "Technology", "Training", "Variation",
    "chip_from_dict", "load_chip", "load_macro", "resolve_spec_path",
]
