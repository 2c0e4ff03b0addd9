"""QTensor (a value plus its quantisation) and the tracer that records an integer forward as a
foundation Network: every quantised module, run in integer mode under `tracing()`, appends the
layer it computed (op, fields, integer arrays) so export and forward cannot disagree.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from generator.errors import AccelgenError
from generator.ir.network import Network
from generator.ir.tensor import InputSpec, TensorType
from generator.ops import OPS, Layer


@dataclass
class QTensor:
    """A tensor flowing through a quantised model (NCHW).

    float mode: `x` real values, no scale. fake mode: `x` = scale * integer, `scale` a 0-dim
    tensor. int mode: `x` holds the integers themselves (float64, exact), `scale` a float.
    `bits`/`signed` give the integer type in fake and int mode; `node` names the tensor in the
    network being traced (int mode under `tracing()`).
    """

    x: torch.Tensor
    scale: Any = None
    bits: int | None = None
    signed: bool | None = None
    node: str | None = None

    def like(self, x: torch.Tensor, node: str | None = None) -> QTensor:
        """Same quantisation, new values (data movement ops)."""
        return QTensor(x, self.scale, self.bits, self.signed, node)

    @property
    def max_abs(self) -> int:
        if self.bits is None:
            raise RuntimeError("max_abs of an unquantised tensor")
        return (1 << (self.bits - 1)) if self.signed else (1 << self.bits) - 1


def sanitize(name: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_]", "_", name) or "layer"
    return s if re.match(r"[A-Za-z_]", s) else f"l_{s}"


class Tracer:
    """Collects inputs, layers and arrays; `network()` validates and returns the Network."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.inputs: list[InputSpec] = []
        self.layers: list[Layer] = []
        self.arrays: dict[str, np.ndarray] = {}
        self.used: set[str] = set()

    def unique(self, name: str) -> str:
        base = sanitize(name)
        name, i = base, 1
        while name in self.used:
            i += 1
            name = f"{base}_{i}"
        self.used.add(name)
        return name

    def input(self, name: str, t: QTensor) -> str:
        name = self.unique(name)
        _, c, h, w = t.x.shape
        self.inputs.append(InputSpec(name, TensorType((h, w, c), int(t.bits), bool(t.signed))))  # type: ignore[arg-type]
        return name

    def layer(self, op: str, name: str, inputs: list[QTensor], fields: dict[str, Any],
              arrays: dict[str, np.ndarray] | None = None) -> str:
        srcs = []
        for t in inputs:
            if t.node is None:
                raise AccelgenError(
                    f"export: layer {name} gets a tensor that was not produced by a quantised "
                    "module (wrap every operation of the model in a generator.frontend module)"
                )
            srcs.append(t.node)
        name = self.unique(name)
        layer = OPS[op].from_json({"name": name, "op": op, "inputs": srcs, **fields}, f"layer {name}")
        self.layers.append(layer)
        for suffix, arr in (arrays or {}).items():
            self.arrays[f"{name}.{suffix}"] = np.ascontiguousarray(arr, dtype=np.int64)
        return name

    def network(self, outputs: list[str]) -> Network:
        net = Network(self.name, tuple(self.inputs), tuple(self.layers), tuple(outputs), dict(self.arrays))
        net.types  # noqa: B018  (validate: accumulator widths, ranges, shapes)
        return net


_ACTIVE: list[Tracer] = []


def active() -> Tracer | None:
    return _ACTIVE[-1] if _ACTIVE else None


@contextlib.contextmanager
def tracing(name: str) -> Iterator[Tracer]:
    tracer = Tracer(name)
    _ACTIVE.append(tracer)
    try:
        yield tracer
    finally:
        _ACTIVE.pop()
