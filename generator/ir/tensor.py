"""Tensor types: every tensor in a network is NHWC (batch 1) integers of a given width."""

from __future__ import annotations

from dataclasses import dataclass

from generator.errors import NetworkError

MIN_BITS = 1
MAX_BITS = 16


def int_range(bits: int, signed: bool) -> tuple[int, int]:
    """Inclusive value range of a `bits`-wide integer (two's complement when signed)."""
    if signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def describe_type(bits: int, signed: bool) -> str:
    lo, hi = int_range(bits, signed)
    return f"{'signed' if signed else 'unsigned'} {bits}-bit range [{lo}, {hi}]"


@dataclass(frozen=True)
class TensorType:
    """Shape (H, W, C) plus the integer type of every element."""

    shape: tuple[int, int, int]
    bits: int
    signed: bool

    @property
    def lo(self) -> int:
        return int_range(self.bits, self.signed)[0]

    @property
    def hi(self) -> int:
        return int_range(self.bits, self.signed)[1]

    @property
    def max_abs(self) -> int:
        return max(-self.lo, self.hi)

    @property
    def size(self) -> int:
        h, w, c = self.shape
        return h * w * c

    def describe(self) -> str:
        return describe_type(self.bits, self.signed)


def check_bits(where: str, field: str, bits: int) -> None:
    """Every tensor and weight width lies in 1..16 bits."""
    if not MIN_BITS <= bits <= MAX_BITS:
        raise NetworkError(f"{where}: {field} = {bits} is outside {MIN_BITS}..{MAX_BITS}")


@dataclass(frozen=True)
class InputSpec:
    """A network input: a named tensor fed from outside (e.g. the image)."""

    name: str
    type: TensorType

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "shape": list(self.type.shape),
            "bits": self.type.bits,
            "signed": self.type.signed,
        }
