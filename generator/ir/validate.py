"""Whole-network validation: names, graph, types, arrays and accumulator widths.

Each rule raises NetworkError with one line naming the layer, the field and the limit. The
checks run in dependency order so every message talks about the first real problem.
"""

from __future__ import annotations

import re

import numpy as np

from generator.errors import NetworkError
from generator.ir.tensor import TensorType
from generator.ops import Layer

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def validate(net) -> dict[str, TensorType]:  # net: Network (import cycle avoided)
    """Check everything about `net`; return the TensorType of every tensor."""
    check_names(net)
    order = topo_order(net)
    types = {i.name: i.type for i in net.inputs}
    for layer in order:
        types[layer.name] = layer.out_type([types[n] for n in layer.inputs])
    if not net.outputs:
        raise NetworkError("network: 'outputs' is empty; name at least one tensor")
    for out in net.outputs:
        if out not in types:
            raise NetworkError(f"network: output '{out}' is not a network input or layer")
    check_arrays(net, types)
    return types


def check_names(net) -> None:
    seen: dict[str, str] = {}
    items = [(i.name, f"input {i.name}") for i in net.inputs] + [(ly.name, ly.where) for ly in net.layers]
    if not net.inputs:
        raise NetworkError("network: 'inputs' is empty; a network needs at least one input")
    for name, where in items:
        if not NAME_RE.match(name):
            raise NetworkError(
                f"{where}: name {name!r} must match {NAME_RE.pattern} (letters, digits, '_')"
            )
        if name in seen:
            raise NetworkError(f"{where}: name '{name}' is already used by {seen[name]}")
        seen[name] = where


def topo_order(net) -> list[Layer]:
    """Layers in dependency order (stable w.r.t. file order); dangling inputs and cycles fail."""
    known = {i.name for i in net.inputs} | {ly.name for ly in net.layers}
    for layer in net.layers:
        for src in layer.inputs:
            if src not in known:
                raise NetworkError(f"{layer.where}: input '{src}' is not a network input or layer")
    done = {i.name for i in net.inputs}
    pending = list(net.layers)
    order: list[Layer] = []
    while pending:
        ready = [ly for ly in pending if all(s in done for s in ly.inputs)]
        if not ready:
            raise NetworkError(f"network: layers {' -> '.join(find_cycle(pending))} form a cycle")
        for ly in ready:
            done.add(ly.name)
            order.append(ly)
        pending = [ly for ly in pending if ly.name not in done]
    return order


def find_cycle(pending: list[Layer]) -> list[str]:
    """A cycle among layers none of which is ready: follow unresolved inputs until one repeats."""
    by_name = {ly.name: ly for ly in pending}
    path: list[str] = []
    name = pending[0].name
    while name not in path:
        path.append(name)
        name = next(s for s in by_name[name].inputs if s in by_name)
    cycle = path[path.index(name):] + [name]
    return cycle[::-1]  # in data-flow direction: each layer feeds the next


def check_arrays(net, types: dict[str, TensorType]) -> None:
    weights = net.weights or "the weights file"
    owned: set[str] = set()
    for layer in net.layers:
        ins = [types[n] for n in layer.inputs]
        specs = layer.array_specs(ins)
        arrays: dict[str, np.ndarray] = {}
        for suffix, spec in specs.items():
            key = f"{layer.name}.{suffix}"
            owned.add(key)
            if key not in net.arrays:
                raise NetworkError(f"{layer.where}: array '{key}' is missing from {weights}")
            arr = net.arrays[key]
            if not (np.issubdtype(arr.dtype, np.integer) and arr.dtype != np.bool_):
                raise NetworkError(f"{layer.where}: array '{key}' has dtype {arr.dtype}, must be integer")
            if tuple(arr.shape) != spec.shape:
                raise NetworkError(
                    f"{layer.where}: array '{key}' has shape {list(arr.shape)}, expected {list(spec.shape)}"
                )
            check_range(f"{layer.where}: array '{key}'", arr, spec.lo, spec.hi, spec.what)
            arrays[suffix] = arr
        layer.check_arrays(ins, arrays)
    extra = sorted(set(net.arrays) - owned)
    if extra:
        raise NetworkError(f"network: array '{extra[0]}' in {weights} belongs to no layer")


def check_range(where: str, arr: np.ndarray, lo: int, hi: int, what: str) -> None:
    """Every entry within [lo, hi]; names the first offending index and value."""
    if arr.size == 0:
        return
    a = arr.astype(np.int64) if arr.dtype != np.uint64 else arr
    bad = (a < lo) | (a > hi)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise NetworkError(
            f"{where} value {int(a[idx])} at index {list(idx)} is outside {what} range [{lo}, {hi}]"
        )
