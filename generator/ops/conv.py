"""`conv`: full k x k convolution (any k, stride, zero padding) with dyadic requantisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from generator import golden
from generator.ir.tensor import TensorType
from generator.ops.base import ConvFamily, check_positive, check_window, window_out


@dataclass(frozen=True)
class Conv(ConvFamily):
    """weight (K, k, k, C); acc = bias + sum xpad * weight; y = requant(acc)."""

    kernel: int
    out_channels: int
    weight_bits: int
    out_bits: int
    out_signed: bool
    stride: int = 1
    padding: int = 0

    OP: ClassVar[str] = "conv"

    def check_fields(self) -> None:
        super().check_fields()
        check_window(self, self.kernel, self.stride, self.padding)
        check_positive(self, out_channels=self.out_channels)
        self.check_quant_fields(self.weight_bits, self.out_bits)

    def out_type(self, ins: list[TensorType]) -> TensorType:
        ho, wo = window_out(self, ins[0], self.kernel, self.stride, self.padding)
        return TensorType((ho, wo, self.out_channels), self.out_bits, self.out_signed)

    def weight_shape(self, ins: list[TensorType]) -> tuple[int, ...]:
        return (self.out_channels, self.kernel, self.kernel, ins[0].shape[2])

    def taps(self, ins: list[TensorType]) -> int:
        return self.kernel * self.kernel * ins[0].shape[2]

    def out_channels_of(self, ins: list[TensorType]) -> int:
        return self.out_channels

    def accumulate(self, xs: list[np.ndarray], arrays: dict[str, np.ndarray]) -> np.ndarray:
        return golden.conv_acc(xs[0], arrays["weight"], arrays["bias"], self.stride, self.padding)
