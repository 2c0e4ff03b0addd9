"""`deform_dwconv`: CoDeNet's square, bounded, integer-offset deformable depthwise 3x3.

One distance d per output pixel (the square's half side), clamped to `max_offset` N as the
2N+1-row line buffer of the hardware does. With d = 1 it equals dwconv k=3, padding 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from generator import golden
from generator.ir.tensor import TensorType
from generator.ops.base import ConvFamily, check_positive

MAX_OFFSET_LIMIT = 64


@dataclass(frozen=True)
class DeformDwConv(ConvFamily):
    """inputs [x, offsets]; weight (C, 3, 3) indexed [c, i+1, j+1]."""

    weight_bits: int
    out_bits: int
    out_signed: bool
    stride: int = 1
    max_offset: int = 7

    OP: ClassVar[str] = "deform_dwconv"
    MIN_INPUTS: ClassVar[int] = 2
    MAX_INPUTS: ClassVar[int | None] = 2
    KERNEL: ClassVar[int] = 3

    def check_fields(self) -> None:
        super().check_fields()
        check_positive(self, stride=self.stride)
        if not 1 <= self.max_offset <= MAX_OFFSET_LIMIT:
            raise self.error(f"max_offset = {self.max_offset} is outside 1..{MAX_OFFSET_LIMIT}")
        self.check_quant_fields(self.weight_bits, self.out_bits)

    def out_hw(self, x: TensorType) -> tuple[int, int]:
        h, w, _ = x.shape
        return (h - 1) // self.stride + 1, (w - 1) // self.stride + 1

    def out_type(self, ins: list[TensorType]) -> TensorType:
        x, off = ins
        ho, wo = self.out_hw(x)
        if off.shape != (ho, wo, 1):
            raise self.error(
                f"offsets '{self.inputs[1]}' has shape {list(off.shape)}, needs [{ho}, {wo}, 1] "
                f"(output size of a {x.shape[0]}x{x.shape[1]} input at stride {self.stride})"
            )
        if off.signed:
            raise self.error(f"offsets '{self.inputs[1]}' must be unsigned")
        return TensorType((ho, wo, x.shape[2]), self.out_bits, self.out_signed)

    def weight_shape(self, ins: list[TensorType]) -> tuple[int, ...]:
        return (ins[0].shape[2], self.KERNEL, self.KERNEL)

    def taps(self, ins: list[TensorType]) -> int:
        return self.KERNEL * self.KERNEL

    def out_channels_of(self, ins: list[TensorType]) -> int:
        return ins[0].shape[2]

    def accumulate(self, xs: list[np.ndarray], arrays: dict[str, np.ndarray]) -> np.ndarray:
        return golden.deform_dwconv_acc(
            xs[0], xs[1], arrays["weight"], arrays["bias"], self.stride, self.max_offset
        )
