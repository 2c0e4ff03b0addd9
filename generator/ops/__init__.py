"""The op registry: one entry per op key used as `"op"` in network JSON."""

from __future__ import annotations

from generator.ops.add import Add
from generator.ops.base import ArraySpec, ConvFamily, Layer
from generator.ops.conv import Conv
from generator.ops.deform_dwconv import DeformDwConv
from generator.ops.dwconv import DwConv
from generator.ops.maxpool import MaxPool
from generator.ops.movement import Concat, Shuffle, Slice, Upsample

OPS: dict[str, type[Layer]] = {
    cls.OP: cls
    for cls in (Conv, DwConv, DeformDwConv, Add, Concat, Slice, Shuffle, Upsample, MaxPool)
}

__all__ = [
    "OPS", "ArraySpec", "ConvFamily", "Layer", "Add", "Conv", "DeformDwConv", "DwConv",
    "MaxPool", "Concat", "Shuffle", "Slice", "Upsample",
]
