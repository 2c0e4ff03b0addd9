"""`add`: HAWQ-V3 residual add, both branches rescaled by integer multipliers then shifted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from generator import golden
from generator.ir.tensor import TensorType, check_bits
from generator.ops.base import MULT_RANGE, SHIFT_RANGE, Layer


@dataclass(frozen=True)
class Add(Layer):
    """y = clamp((a*ma + b*mb + r) >> shift, lo, hi)."""

    mult: tuple[int, ...]
    shift: int
    out_bits: int
    out_signed: bool

    OP: ClassVar[str] = "add"
    MIN_INPUTS: ClassVar[int] = 2
    MAX_INPUTS: ClassVar[int | None] = 2

    def check_fields(self) -> None:
        super().check_fields()
        if len(self.mult) != 2:
            raise self.error(f"mult must be [ma, mb], got {len(self.mult)} values")
        for m in self.mult:
            if not MULT_RANGE[0] <= m <= MULT_RANGE[1]:
                raise self.error(f"mult value {m} is outside [{MULT_RANGE[0]}, {MULT_RANGE[1]}]")
        if not SHIFT_RANGE[0] <= self.shift <= SHIFT_RANGE[1]:
            raise self.error(f"shift = {self.shift} is outside [{SHIFT_RANGE[0]}, {SHIFT_RANGE[1]}]")
        check_bits(self.where, "out_bits", self.out_bits)

    def out_type(self, ins: list[TensorType]) -> TensorType:
        a, b = ins
        if a.shape != b.shape:
            raise self.error(
                f"inputs '{self.inputs[0]}' {list(a.shape)} and '{self.inputs[1]}' {list(b.shape)} differ in shape"
            )
        return TensorType(a.shape, self.out_bits, self.out_signed)

    def golden(self, xs: list[np.ndarray], arrays: dict[str, np.ndarray], out: TensorType) -> np.ndarray:
        return golden.add(xs[0], xs[1], (self.mult[0], self.mult[1]), self.shift, out.lo, out.hi)
