"""The Network IR: inputs, layers and outputs of one quantized network, plus its arrays.

`Network` is a frozen dataclass that round-trips through the JSON of docs/network-format.md.
Arrays (weights, biases, requant parameters) live in `arrays`, keyed '<layer>.<suffix>' as in
the NPZ file. `types` gives every tensor's TensorType once `validate` has accepted the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from generator.errors import NetworkError
from generator.ir.fields import check_value, type_name
from generator.ir.tensor import InputSpec, TensorType, check_bits
from generator.ops import OPS, Layer

FORMAT = "accelgen-network/1"
TOP_KEYS = ("format", "name", "weights", "inputs", "layers", "outputs")


@dataclass(frozen=True)
class Network:
    name: str
    inputs: tuple[InputSpec, ...]
    layers: tuple[Layer, ...]
    outputs: tuple[str, ...]
    arrays: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)
    weights: str | None = None  # NPZ file name, relative to the JSON

    @cached_property
    def types(self) -> dict[str, TensorType]:
        """TensorType of every tensor (inputs and layer outputs); raises NetworkError if invalid."""
        from generator.ir.validate import validate

        return validate(self)

    @cached_property
    def by_name(self) -> dict[str, Layer]:
        return {layer.name: layer for layer in self.layers}

    def layer_arrays(self, layer: Layer) -> dict[str, np.ndarray]:
        """A layer's arrays keyed by suffix ('weight', 'bias', ...)."""
        prefix = layer.name + "."
        return {k[len(prefix):]: v for k, v in self.arrays.items() if k.startswith(prefix)}

    def in_types(self, layer: Layer) -> list[TensorType]:
        return [self.types[n] for n in layer.inputs]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"format": FORMAT, "name": self.name}
        if self.weights is not None:
            out["weights"] = self.weights
        out["inputs"] = [i.to_json() for i in self.inputs]
        out["layers"] = [layer.to_json() for layer in self.layers]
        out["outputs"] = list(self.outputs)
        return out

    @classmethod
    def from_json(cls, data: Any, arrays: dict[str, np.ndarray] | None = None) -> Network:
        """Parse the JSON document (structure and field types only; see `validate`)."""
        if not isinstance(data, dict):
            raise NetworkError(f"network: top level must be an object, got {type_name(data)}")
        unknown = sorted(set(data) - set(TOP_KEYS))
        if unknown:
            raise NetworkError(f"network: unknown key '{unknown[0]}' (allowed: {', '.join(TOP_KEYS)})")
        fmt = data.get("format")
        if fmt != FORMAT:
            raise NetworkError(f"network: format must be '{FORMAT}', got {fmt!r}")
        for key in ("name", "inputs", "layers", "outputs"):
            if key not in data:
                raise NetworkError(f"network: missing key '{key}'")
        name = check_value("network", "name", str, data["name"], NetworkError)
        weights = data.get("weights")
        if weights is not None:
            weights = check_value("network", "weights", str, weights, NetworkError)
        for key in ("inputs", "layers", "outputs"):
            if not isinstance(data[key], list):
                raise NetworkError(f"network: '{key}' must be a list, got {type_name(data[key])}")
        inputs = tuple(parse_input(i, d) for i, d in enumerate(data["inputs"]))
        layers = tuple(parse_layer(i, d) for i, d in enumerate(data["layers"]))
        outputs = check_value("network", "outputs", tuple[str, ...], data["outputs"], NetworkError)
        return cls(name, inputs, layers, outputs, dict(arrays or {}), weights)


def parse_input(index: int, data: Any) -> InputSpec:
    where = f"input {index}"
    if not isinstance(data, dict):
        raise NetworkError(f"{where}: must be an object, got {type_name(data)}")
    if isinstance(data.get("name"), str):
        where = f"input {data['name']}"
    allowed = {"name", "shape", "bits", "signed"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise NetworkError(f"{where}: unknown field '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})")
    for key in sorted(allowed):
        if key not in data:
            raise NetworkError(f"{where}: missing field '{key}'")
    name = check_value(where, "name", str, data["name"], NetworkError)
    shape = check_value(where, "shape", tuple[int, ...], data["shape"], NetworkError)
    if len(shape) != 3 or min(shape) < 1:
        raise NetworkError(f"{where}: shape {list(shape)} must be [H, W, C] with every entry >= 1")
    bits = check_value(where, "bits", int, data["bits"], NetworkError)
    signed = check_value(where, "signed", bool, data["signed"], NetworkError)
    check_bits(where, "bits", bits)
    return InputSpec(name, TensorType((shape[0], shape[1], shape[2]), bits, signed))


def parse_layer(index: int, data: Any) -> Layer:
    where = f"layer {index}"
    if not isinstance(data, dict):
        raise NetworkError(f"{where}: must be an object, got {type_name(data)}")
    if isinstance(data.get("name"), str):
        where = f"layer {data['name']}"
    op = data.get("op")
    if op is None:
        raise NetworkError(f"{where}: missing field 'op'")
    if op not in OPS:
        raise NetworkError(f"{where}: unknown op {op!r} (known: {', '.join(OPS)})")
    return OPS[op].from_json(data, where)
