"""What every op shares: the Layer dataclass contract and the conv family's requantisation.

An op is a frozen dataclass (its JSON fields) plus pure methods: field checks, output type,
the arrays it owns, its golden model (delegating to generator.golden) and its MAC count.
Adding an op touches only its own module and the registry list in generator/ops/__init__.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from generator import golden
from generator.errors import NetworkError
from generator.ir.fields import decode_fields, encode_fields
from generator.ir.tensor import TensorType, check_bits, int_range

INT32 = int_range(32, True)
MULT_RANGE = (0, (1 << 31) - 1)
SHIFT_RANGE = (0, 62)
ACC_BITS = 32


@dataclass(frozen=True)
class ArraySpec:
    """An array a layer owns in the weights file: exact shape and inclusive value range."""

    shape: tuple[int, ...]
    lo: int
    hi: int
    what: str  # e.g. "signed 4-bit", used in error messages


@dataclass(frozen=True)
class Layer:
    """Base of every op. Subclasses add their JSON fields as dataclass fields."""

    name: str
    inputs: tuple[str, ...]

    OP: ClassVar[str] = ""
    MIN_INPUTS: ClassVar[int] = 1
    MAX_INPUTS: ClassVar[int | None] = 1

    # ---- JSON -------------------------------------------------------------------------------
    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> Layer:
        layer = decode_fields(cls, data, where, NetworkError, skip=frozenset({"op"}))
        layer.check_fields()
        return layer

    def to_json(self) -> dict[str, Any]:
        out = {"name": self.name, "op": self.OP}
        out.update(encode_fields(self, skip=frozenset({"name"})))
        return out

    @property
    def where(self) -> str:
        return f"layer {self.name}"

    def error(self, msg: str) -> NetworkError:
        return NetworkError(f"{self.where}: {msg}")

    # ---- structure --------------------------------------------------------------------------
    def check_fields(self) -> None:
        """Check field values that need no input types (ranges of kernel, stride, bits...)."""
        n = len(self.inputs)
        hi = self.MAX_INPUTS
        if n < self.MIN_INPUTS or (hi is not None and n > hi):
            want = f"{self.MIN_INPUTS}" if hi == self.MIN_INPUTS else (
                f"at least {self.MIN_INPUTS}" if hi is None else f"{self.MIN_INPUTS}..{hi}")
            raise self.error(f"op '{self.OP}' takes {want} inputs, got {n}")

    def out_type(self, ins: list[TensorType]) -> TensorType:
        raise NotImplementedError

    def array_specs(self, ins: list[TensorType]) -> dict[str, ArraySpec]:
        """Arrays this layer owns, keyed by suffix (stored as '<name>.<suffix>')."""
        return {}

    def check_arrays(self, ins: list[TensorType], arrays: dict[str, np.ndarray]) -> None:
        """Checks across arrays and types beyond each array's own range (e.g. accumulator width)."""

    def golden(self, xs: list[np.ndarray], arrays: dict[str, np.ndarray], out: TensorType) -> np.ndarray:
        raise NotImplementedError

    # ---- size -------------------------------------------------------------------------------
    def macs(self, ins: list[TensorType], out: TensorType) -> int:
        return 0

    def weight_width(self) -> int | None:
        """Bits per weight for layers that own weights, else None."""
        return None

    def replace(self, **changes: Any) -> Layer:
        return dataclasses.replace(self, **changes)


def check_positive(layer: Layer, **values: int) -> None:
    for field, v in values.items():
        if v < 1:
            raise layer.error(f"{field} = {v} must be >= 1")


def check_window(layer: Layer, kernel: int, stride: int, padding: int) -> None:
    check_positive(layer, kernel=kernel, stride=stride)
    if not 0 <= padding < kernel:
        raise layer.error(f"padding = {padding} must be in 0..kernel-1 = 0..{kernel - 1}")


def window_out(layer: Layer, t: TensorType, kernel: int, stride: int, padding: int) -> tuple[int, int]:
    h, w, _ = t.shape
    ho, wo = (golden.out_size(n, kernel, stride, padding) for n in (h, w))
    if ho < 1 or wo < 1:
        raise layer.error(
            f"input {h}x{w} is smaller than kernel {kernel} with padding {padding}"
        )
    return ho, wo


@dataclass(frozen=True)
class ConvFamily(Layer):
    """conv, dwconv and deform_dwconv: weights, INT32 accumulator, dyadic requantisation.

    Subclasses declare the fields `weight_bits`, `out_bits`, `out_signed` and implement
    `weight_shape`, `taps` (products summed per output), `out_channels_of` and `accumulate`.
    """

    def check_quant_fields(self, weight_bits: int, out_bits: int) -> None:
        check_bits(self.where, "weight_bits", weight_bits)
        check_bits(self.where, "out_bits", out_bits)

    def weight_shape(self, ins: list[TensorType]) -> tuple[int, ...]:
        raise NotImplementedError

    def taps(self, ins: list[TensorType]) -> int:
        raise NotImplementedError

    def out_channels_of(self, ins: list[TensorType]) -> int:
        raise NotImplementedError

    def accumulate(self, xs: list[np.ndarray], arrays: dict[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def array_specs(self, ins: list[TensorType]) -> dict[str, ArraySpec]:
        k = self.out_channels_of(ins)
        wlo, whi = int_range(self.weight_bits, True)
        return {
            "weight": ArraySpec(self.weight_shape(ins), wlo, whi, f"signed {self.weight_bits}-bit"),
            "bias": ArraySpec((k,), *INT32, "int32"),
            "mult": ArraySpec((k,), *MULT_RANGE, "multiplier"),
            "shift": ArraySpec((k,), *SHIFT_RANGE, "shift"),
        }

    def accumulator_bound(self, ins: list[TensorType], arrays: dict[str, np.ndarray]) -> int:
        """Worst-case |acc| from the bit widths (any input, any weight) plus the largest |bias|."""
        wmax = 1 << (self.weight_bits - 1)
        bias = int(np.abs(arrays["bias"]).max(initial=0))
        return bias + self.taps(ins) * ins[0].max_abs * wmax

    def check_arrays(self, ins: list[TensorType], arrays: dict[str, np.ndarray]) -> None:
        bound = self.accumulator_bound(ins, arrays)
        need = bound.bit_length() + 1
        if need > ACC_BITS:
            raise self.error(
                f"accumulator needs {need} bits (worst case |acc| = {bound}: "
                f"{self.taps(ins)} taps x {ins[0].max_abs} x {1 << (self.weight_bits - 1)} "
                f"+ max |bias|), limit is {ACC_BITS}; lower weight_bits or input bits"
            )

    def golden(self, xs: list[np.ndarray], arrays: dict[str, np.ndarray], out: TensorType) -> np.ndarray:
        acc = self.accumulate(xs, arrays)
        return golden.requantize(acc, arrays["mult"], arrays["shift"], out.lo, out.hi)

    def macs(self, ins: list[TensorType], out: TensorType) -> int:
        h, w, c = out.shape
        return h * w * c * self.taps(ins)

    def weight_width(self) -> int | None:
        return self.weight_bits  # type: ignore[attr-defined]
