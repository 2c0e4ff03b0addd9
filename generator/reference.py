"""Run a whole network through the golden model (generator.golden via each op's `golden`)."""

from __future__ import annotations

import numpy as np

from generator.errors import NetworkError
from generator.ir.network import Network
from generator.ir.validate import check_range, topo_order


def check_inputs(net: Network, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every network input present, integer, of the declared shape and range; returns int64 copies."""
    out: dict[str, np.ndarray] = {}
    for spec in net.inputs:
        where = f"input {spec.name}"
        if spec.name not in inputs:
            raise NetworkError(f"{where}: missing from the inputs file (has: {', '.join(sorted(inputs)) or 'nothing'})")
        arr = np.asarray(inputs[spec.name])
        if arr.ndim == 4 and arr.shape[0] == 1:
            arr = arr[0]  # accept an explicit batch of one
        if not (np.issubdtype(arr.dtype, np.integer) and arr.dtype != np.bool_):
            raise NetworkError(f"{where}: dtype {arr.dtype}, must be integer")
        if tuple(arr.shape) != spec.type.shape:
            raise NetworkError(f"{where}: shape {list(arr.shape)}, expected {list(spec.type.shape)} (H, W, C)")
        check_range(where, arr, spec.type.lo, spec.type.hi, f"{'signed' if spec.type.signed else 'unsigned'} {spec.type.bits}-bit")
        out[spec.name] = arr.astype(np.int64)
    return out


def random_inputs(net: Network, seed: int = 0) -> dict[str, np.ndarray]:
    """Uniform random inputs over each input's full range (seeded)."""
    rng = np.random.default_rng(seed)
    return {
        s.name: rng.integers(s.type.lo, s.type.hi, size=s.type.shape, endpoint=True, dtype=np.int64)
        for s in net.inputs
    }


def run_golden(net: Network, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every tensor of the network (inputs and each layer's output), computed exactly in int64."""
    tensors = check_inputs(net, inputs)
    types = net.types
    for layer in topo_order(net):
        xs = [tensors[n] for n in layer.inputs]
        y = layer.golden(xs, net.layer_arrays(layer), types[layer.name])
        if y.shape != types[layer.name].shape:  # programming error in an op, not user input
            raise RuntimeError(f"{layer.where}: golden gave shape {y.shape}, type says {types[layer.name].shape}")
        tensors[layer.name] = y
    return tensors
