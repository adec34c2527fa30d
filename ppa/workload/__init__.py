"""Stage 1, workload: the network model and its readers (YAML, NeuroSim NetWork.csv, ONNX, PyTorch).

Imports `ppa.spec` (YAML reading) and `ppa.errors`, never the cost stage. Readers depend on the network
model (`network.Layer`, `network.Network`), not the other way round; `load_network` picks a reader by extension.
"""

from __future__ import annotations

from pathlib import Path

from ppa.errors import PpaError
from ppa.spec.files import check_path_argument
from ppa.spec.shipped import resolve
from ppa.spec.yamlio import read_yaml
from ppa.workload.network import (
    Layer,
    Network,
    network_from_document,
    read_neurosim_csv,
    with_input_activity,
    with_weight_sparsity,
)

__all__ = ["Layer", "Network", "load_network", "network_from_document", "read_neurosim_csv", "with_input_activity",
           "with_weight_sparsity"]


def load_network(path: str | Path, input_shape: tuple[int, ...] | None = None,
                 sequence_length: int | None = None) -> Network:
    """Load a network from YAML, NeuroSim CSV, ONNX or PyTorch (.pt2 export, or .pt/.pth module traced at
    `input_shape`) by extension, or a shipped one by name; `sequence_length` overrides a YAML transformer's.
    Bad input raises PpaError."""
    check_path_argument(path)
    path = resolve(path, "networks")
    suffix = path.suffix.lower()
    if suffix in (".pt", ".pth", ".pt2"):
        from ppa.workload.torch import read_torch

        return read_torch(path, input_shape)
    if input_shape is not None:
        raise PpaError("an input shape applies to PyTorch files (.pt, .pth) only", file=str(path))
    if sequence_length is not None and suffix not in (".yaml", ".yml", ""):
        raise PpaError("a sequence length applies to YAML networks only", file=str(path))
    if suffix == ".csv":
        return read_neurosim_csv(path)
    if suffix == ".onnx":
        from ppa.workload.onnx import read_onnx

        return read_onnx(path)
    return network_from_document(read_yaml(path), sequence_length)
