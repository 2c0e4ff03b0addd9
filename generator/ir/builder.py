"""Build networks in Python with seeded random weights and calibrated requantisation.

Used by the zoo, the regression generator and tests. Each layer is run through the golden model
on a seeded random input as it is added, and its per-channel mult/shift are chosen so the
99.9th percentile of |acc| maps onto the output range: outputs use their range instead of
saturating or collapsing to zero, which makes bit-exact comparisons meaningful.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.dyadic import dyadic
from generator.ir.network import Network
from generator.ir.tensor import InputSpec, TensorType, int_range
from generator.ops import OPS, ConvFamily, Layer


class NetworkBuilder:
    def __init__(self, name: str, seed: int = 0, extreme: bool = False) -> None:
        """`extreme`: weights drawn mostly from the ends of their range (corner cases)."""
        self.name = name
        self.extreme = extreme
        self.rng = np.random.default_rng(seed)
        self.inputs: list[InputSpec] = []
        self.layers: list[Layer] = []
        self.arrays: dict[str, np.ndarray] = {}
        self.types: dict[str, TensorType] = {}
        self.values: dict[str, np.ndarray] = {}

    def input(self, name: str, shape: tuple[int, int, int], bits: int = 8, signed: bool = False) -> str:
        t = TensorType(tuple(shape), bits, signed)  # type: ignore[arg-type]
        self.inputs.append(InputSpec(name, t))
        self.types[name] = t
        self.values[name] = self.rng.integers(t.lo, t.hi, size=t.shape, endpoint=True)
        return name

    def layer(self, op: str, name: str, inputs: list[str], **fields: Any) -> str:
        """Add any op by key; conv-family layers get random weights and calibrated requant."""
        data = {"name": name, "op": op, "inputs": list(inputs), **fields}
        layer = OPS[op].from_json(data, f"layer {name}")
        ins = [self.types[n] for n in inputs]
        out = layer.out_type(ins)
        xs = [self.values[n] for n in inputs]
        arrays: dict[str, np.ndarray] = {}
        if isinstance(layer, ConvFamily):
            arrays = self._conv_arrays(layer, ins, xs, out)
        for suffix, arr in arrays.items():
            self.arrays[f"{name}.{suffix}"] = arr
        self.layers.append(layer)
        self.types[name] = out
        self.values[name] = layer.golden(xs, arrays, out)
        return name

    def _conv_arrays(self, layer: ConvFamily, ins: list[TensorType], xs: list[np.ndarray], out: TensorType) -> dict[str, np.ndarray]:
        specs = layer.array_specs(ins)
        wspec = specs["weight"]
        weight = self.rng.integers(wspec.lo, wspec.hi, size=wspec.shape, endpoint=True)
        if self.extreme:
            pick = self.rng.random(wspec.shape)
            weight = np.where(pick < 0.4, wspec.lo, np.where(pick < 0.8, wspec.hi, weight))
        k = out.shape[2]
        taps = layer.taps(ins)
        scale = max(ins[0].max_abs, 1) * max(wspec.hi, 1) * np.sqrt(taps) / 4
        bias = np.round(self.rng.normal(0, scale / 2, size=k)).astype(np.int64)
        zero = {"weight": weight, "bias": bias, "mult": np.ones(k, np.int64), "shift": np.zeros(k, np.int64)}
        acc = layer.accumulate(xs, zero)
        _, hi = int_range(out.bits, out.signed)
        mult = np.zeros(k, np.int64)
        shift = np.zeros(k, np.int64)
        for o in range(k):
            a = np.percentile(np.abs(acc[..., o]), 99.9) if acc[..., o].size else 1.0
            ratio = hi / max(float(a), 1.0) * self.rng.uniform(0.8, 1.25)
            mult[o], shift[o] = dyadic(ratio)
        return {"weight": weight, "bias": bias, "mult": mult, "shift": shift}

    def conv(self, name: str, x: str, **fields: Any) -> str:
        return self.layer("conv", name, [x], **fields)

    def dwconv(self, name: str, x: str, **fields: Any) -> str:
        return self.layer("dwconv", name, [x], **fields)

    def build(self, outputs: list[str]) -> Network:
        net = Network(self.name, tuple(self.inputs), tuple(self.layers), tuple(outputs), dict(self.arrays))
        net.types  # noqa: B018  (validate)
        return net
