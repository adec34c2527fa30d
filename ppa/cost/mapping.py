"""Mapping: the unrolling algorithm of Dhull Table II, counting actions per layer (never joules or metres).

A K x K x D x N kernel becomes K*K sub-matrices of D rows and N*cells_per_weight columns; when D is smaller
than a subarray's rows, several sub-matrices share one subarray (their outputs are summed anyway). An OFM of
W x W needs W*W steps (Table II step 2). Every count here is *per image*; the weight update, done once per
batch, is counted per image as (per-batch count) / batch size.

All geometry enters as numpy arrays so one call can count many design points at once (broadcasting):
pass arrays of shape (P, 1) for design parameters and the layer arrays broadcast along the last axis.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ppa.workload.network import Network


@dataclass(frozen=True)
class Geometry:
    """The design parameters the counts depend on (scalars or broadcastable arrays)."""

    rows: np.ndarray
    columns: np.ndarray
    columns_per_adc: np.ndarray
    cells_per_weight: np.ndarray
    reference_columns: np.ndarray
    input_cycles: np.ndarray          # 1 for analog (DAC) inputs, activation bits for bit-serial
    error_cycles: np.ndarray          # same for back-propagated errors
    activation_bits: np.ndarray
    error_bits: np.ndarray
    batch_size: np.ndarray
    update_fraction: np.ndarray

    @classmethod
    def from_chip(cls, chip) -> "Geometry":
        """Geometry of a validated Chip spec."""
        bit_serial = chip.subarray.input_encoding == "bit_serial"
        p = chip.precision
        return cls(
            rows=np.asarray(chip.subarray.rows),
            columns=np.asarray(chip.subarray.columns),
            columns_per_adc=np.asarray(chip.subarray.columns_per_adc),
            cells_per_weight=np.asarray(chip.device.weight_cells),
            reference_columns=np.asarray(chip.subarray.reference_columns),
            input_cycles=np.asarray(p.activation_bits if bit_serial else 1),
            error_cycles=np.asarray(p.error_bits if bit_serial else 1),
            activation_bits=np.asarray(p.activation_bits),
            error_bits=np.asarray(p.error_bits),
            batch_size=np.asarray(chip.training.batch_size),
            update_fraction=np.asarray(chip.training.update_fraction),
        )


@dataclass(frozen=True)
class LayerShapes:
    """The MVM layers of a network as arrays (one entry per conv/fc layer)."""

    names: tuple[str, ...]
    kernel: np.ndarray
    in_channels: np.ndarray
    out_channels: np.ndarray
    out_size: np.ndarray
    in_size: np.ndarray
    first: np.ndarray                 # True for the first MVM layer (no error back-propagation)
    passes: np.ndarray | float = 1.0  # forward passes per image: S samples for a stochastic BNN layer, else 1
    stochastic: np.ndarray | bool = False   # layers read with the Bayes-MTJ noise source (SAND2022-13142)

    @classmethod
    def from_network(cls, net: Network, samples: int | None = None) -> "LayerShapes":
        """The layers of `net`; with `samples`, a BNN whose layers but the first are sampled `samples` times.

        The first layer stays deterministic, computed once and reused by every sample (SAND2022-13142 Sec. 3.0.3)."""
        layers = net.mvm_layers
        first = np.arange(len(layers)) == 0
        stochastic = ~first if samples is not None else np.zeros(len(layers), dtype=bool)
        return cls(
            names=tuple(la.name for la in layers),
            kernel=np.array([la.kernel for la in layers], dtype=np.float64),
            in_channels=np.array([la.in_channels for la in layers], dtype=np.float64),
            out_channels=np.array([la.out_channels for la in layers], dtype=np.float64),
            out_size=np.array([la.out_size for la in layers], dtype=np.float64),
            in_size=np.array([la.in_size for la in layers], dtype=np.float64),
            first=first,
            passes=np.where(stochastic, float(samples or 1), 1.0),
            stochastic=stochastic,
        )


@dataclass(frozen=True)
class Activity:
    """Action counts per MVM layer and image (arrays broadcast over design points x layers)."""

    # resources
    subarrays: np.ndarray             # subarrays holding the layer's weights
    row_groups: np.ndarray            # subarray rows of sub-matrices whose outputs must be summed
    weights: np.ndarray
    # forward pass (inference and training)
    fwd_steps: np.ndarray             # sequential array reads: W*W positions x input cycles (Table II step 2)
    fwd_cell_reads: np.ndarray        # synaptic cells read
    fwd_row_drives: np.ndarray        # row-driver (DAC) activations
    fwd_conversions: np.ndarray       # ADC conversions
    fwd_tree_adds: np.ndarray         # adder-tree additions joining row groups and weight-bit columns
    fwd_tree_depth: np.ndarray        # adder-tree levels on the critical path
    fwd_noise_reads: np.ndarray       # Bayes-MTJ noise-source reads (stochastic layers, the high mean slice only)
    rows_per_read: np.ndarray         # rows driven in one subarray read (rows sharing a DAC are set in turn)
    # backward error pass through the transposable arrays (training, not the first layer)
    bwd_steps: np.ndarray
    bwd_cell_reads: np.ndarray
    bwd_row_drives: np.ndarray
    bwd_conversions: np.ndarray
    bwd_tree_adds: np.ndarray
    bwd_tree_depth: np.ndarray
    # weight gradient (training)
    wg_macs: np.ndarray               # W*W*K*K*D*N multiply-accumulates of dL/dW = x^T . delta
    wg_data_bits: np.ndarray          # activation and error bits written to and read from gradient storage
    grad_accum_adds: np.ndarray       # per-weight gradient accumulation over the batch
    # weight update (training, per image = per batch / batch size)
    update_cell_writes: np.ndarray
    update_row_steps: np.ndarray      # row-by-row write steps per subarray (subarrays in parallel)
    # data movement
    buffer_bits: np.ndarray           # activations (and errors) read from and written to buffers
    htree_bits: np.ndarray            # bits carried over the PE/tile H-tree

    def select(self, training: bool) -> "Activity":
        """Zero the training-only actions for an inference estimate."""
        if training:
            return self
        zero = {f.name: np.zeros_like(getattr(self, f.name)) for f in fields(self)
                if f.name.startswith(("bwd_", "wg_", "grad_", "update_"))}
        return Activity(**{**{f.name: getattr(self, f.name) for f in fields(self)}, **zero})


def _ceil_div(a, b):
    return np.ceil(np.asarray(a, dtype=np.float64) / b)


def count_actions(shapes: LayerShapes, g: Geometry) -> Activity:
    """Count every action of one image through the network on the hardware geometry (Dhull Table II)."""
    K2 = shapes.kernel**2
    D, N, W = shapes.in_channels, shapes.out_channels, shapes.out_size
    P = W**2 * shapes.passes                              # OFM positions (of every sample), one step each
    cpw = g.cells_per_weight
    usable_cols = g.columns - g.reference_columns
    weights = K2 * D * N

    # forward: sub-matrices of D rows stacked into subarrays; columns hold N * cpw cells
    per_subarray = np.maximum(1.0, np.floor(g.rows / D))     # sub-matrices sharing one subarray
    row_blocks = _ceil_div(D, g.rows)
    row_groups = np.where(D < g.rows, _ceil_div(K2, per_subarray), K2 * row_blocks)
    col_blocks = _ceil_div(N * cpw, usable_cols)
    subarrays = row_groups * col_blocks
    fwd_steps = P * g.input_cycles
    fwd_cell_reads = fwd_steps * weights * cpw
    fwd_row_drives = fwd_steps * K2 * D * col_blocks
    fwd_conversions = fwd_steps * row_groups * N * cpw
    fwd_tree_adds = P * N * (row_groups * cpw - 1)
    fwd_tree_depth = np.ceil(np.log2(np.maximum(row_groups * cpw, 1.0)))
    fwd_noise_reads = np.where(shapes.stochastic, fwd_steps * weights, 0.0)
    rows_per_read = np.minimum(g.rows, K2 * D / row_groups)

    # backward: the same arrays read transposed; errors (N of them) drive the columns, D outputs per
    # sub-matrix come out on the rows. Weight-bit columns are symmetric: each error enters cpw columns.
    train = ~shapes.first
    t_col_groups = _ceil_div(N * cpw, g.rows)             # transposed: column cells become rows
    bwd_steps = np.where(train, P * g.error_cycles, 0.0)
    bwd_cell_reads = bwd_steps * weights * cpw
    bwd_row_drives = bwd_steps * N * cpw * row_groups
    bwd_conversions = bwd_steps * K2 * D * t_col_groups
    bwd_tree_adds = np.where(train, P * K2 * D * (t_col_groups - 1), 0.0)
    bwd_tree_depth = np.where(train, np.ceil(np.log2(np.maximum(t_col_groups, 1.0))), 0.0)

    # weight gradient dL/dW = sum over positions of x_unrolled (K*K*D) outer delta (N)
    wg_macs = P * weights
    in_bits = shapes.in_size**2 * D * g.activation_bits * shapes.passes
    err_bits = P * N * g.error_bits
    wg_data_bits = in_bits * (1.0 + K2) + err_bits * 2.0   # write once, read once per kernel offset
    grad_accum_adds = weights

    # weight update once per batch: changed cells written row by row
    update_cell_writes = weights * cpw * g.update_fraction / g.batch_size
    update_row_steps = g.rows * np.minimum(1.0, g.update_fraction * weights) / g.batch_size

    out_bits = P * N * g.activation_bits
    buffer_bits = in_bits + out_bits + np.where(train, err_bits + in_bits, 0.0)
    htree_bits = in_bits * col_blocks + out_bits * row_groups

    return Activity(
        subarrays=subarrays, row_groups=row_groups, weights=weights,
        fwd_steps=fwd_steps, fwd_cell_reads=fwd_cell_reads, fwd_row_drives=fwd_row_drives,
        fwd_conversions=fwd_conversions, fwd_tree_adds=fwd_tree_adds, fwd_tree_depth=fwd_tree_depth,
        fwd_noise_reads=fwd_noise_reads, rows_per_read=rows_per_read,
        bwd_steps=bwd_steps, bwd_cell_reads=bwd_cell_reads, bwd_row_drives=bwd_row_drives,
        bwd_conversions=bwd_conversions, bwd_tree_adds=bwd_tree_adds, bwd_tree_depth=bwd_tree_depth,
        wg_macs=wg_macs, wg_data_bits=wg_data_bits, grad_accum_adds=grad_accum_adds,
        update_cell_writes=update_cell_writes, update_row_steps=update_row_steps,
        buffer_bits=buffer_bits, htree_bits=htree_bits,
    )
