"""`maxpool`: k x k max with stride; padding takes the input type's minimum."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from generator import golden
from generator.ir.tensor import TensorType
from generator.ops.base import Layer, check_window, window_out


@dataclass(frozen=True)
class MaxPool(Layer):
    kernel: int
    stride: int
    padding: int = 0

    OP: ClassVar[str] = "maxpool"

    def check_fields(self) -> None:
        super().check_fields()
        check_window(self, self.kernel, self.stride, self.padding)

    def out_type(self, ins: list[TensorType]) -> TensorType:
        (x,) = ins
        ho, wo = window_out(self, x, self.kernel, self.stride, self.padding)
        return TensorType((ho, wo, x.shape[2]), x.bits, x.signed)

    def golden(self, xs: list[np.ndarray], arrays: dict[str, np.ndarray], out: TensorType) -> np.ndarray:
        return golden.maxpool(xs[0], self.kernel, self.stride, self.padding, pad_value=out.lo)
