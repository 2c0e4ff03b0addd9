"""Data-movement ops that keep their input's bits/signed: concat, slice, shuffle, upsample.

They do no arithmetic; on the hardware they become addressing or ARM work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from generator import golden
from generator.ir.tensor import TensorType
from generator.ops.base import Layer, check_positive


@dataclass(frozen=True)
class Concat(Layer):
    """Channel concatenation; inputs agree on H, W, bits and signed."""

    OP: ClassVar[str] = "concat"
    MIN_INPUTS: ClassVar[int] = 2
    MAX_INPUTS: ClassVar[int | None] = None

    def out_type(self, ins: list[TensorType]) -> TensorType:
        first = ins[0]
        for name, t in zip(self.inputs[1:], ins[1:]):
            if t.shape[:2] != first.shape[:2]:
                raise self.error(
                    f"input '{name}' is {t.shape[0]}x{t.shape[1]}, '{self.inputs[0]}' is "
                    f"{first.shape[0]}x{first.shape[1]}: concat needs equal H and W"
                )
            if (t.bits, t.signed) != (first.bits, first.signed):
                raise self.error(
                    f"input '{name}' is {t.describe()}, '{self.inputs[0]}' is {first.describe()}: "
                    "concat inputs must agree on bits and signed"
                )
        c = sum(t.shape[2] for t in ins)
        return TensorType((first.shape[0], first.shape[1], c), first.bits, first.signed)

    def golden(self, xs: list[np.ndarray], arrays: dict[str, np.ndarray], out: TensorType) -> np.ndarray:
        return golden.concat(xs)


@dataclass(frozen=True)
class Slice(Layer):
    """Channels start..stop-1 (the ShuffleNetV2 split)."""

    start: int
    stop: int

    OP: ClassVar[str] = "slice"

    def out_type(self, ins: list[TensorType]) -> TensorType:
        (x,) = ins
        c = x.shape[2]
        if not 0 <= self.start < self.stop <= c:
            raise self.error(
                f"start = {self.start}, stop = {self.stop} must satisfy 0 <= start < stop <= C = {c}"
            )
        return TensorType((x.shape[0], x.shape[1], self.stop - self.start), x.bits, x.signed)

    def golden(self, xs: list[np.ndarray], arrays: dict[str, np.ndarray], out: TensorType) -> np.ndarray:
        return golden.channel_slice(xs[0], self.start, self.stop)


@dataclass(frozen=True)
class Shuffle(Layer):
    """ShuffleNetV2 channel shuffle with `groups` groups."""

    groups: int

    OP: ClassVar[str] = "shuffle"

    def check_fields(self) -> None:
        super().check_fields()
        check_positive(self, groups=self.groups)

    def out_type(self, ins: list[TensorType]) -> TensorType:
        (x,) = ins
        if x.shape[2] % self.groups:
            raise self.error(f"channels {x.shape[2]} are not divisible by groups = {self.groups}")
        return x

    def golden(self, xs: list[np.ndarray], arrays: dict[str, np.ndarray], out: TensorType) -> np.ndarray:
        return golden.shuffle(xs[0], self.groups)


@dataclass(frozen=True)
class Upsample(Layer):
    """Nearest-neighbour upsampling by integer `factor`."""

    factor: int

    OP: ClassVar[str] = "upsample"

    def check_fields(self) -> None:
        super().check_fields()
        check_positive(self, factor=self.factor)

    def out_type(self, ins: list[TensorType]) -> TensorType:
        (x,) = ins
        h, w, c = x.shape
        return TensorType((h * self.factor, w * self.factor, c), x.bits, x.signed)

    def golden(self, xs: list[np.ndarray], arrays: dict[str, np.ndarray], out: TensorType) -> np.ndarray:
        return golden.upsample(xs[0], self.factor)
