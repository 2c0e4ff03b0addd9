"""How wide the requantisation units (rtl_templates/ag_quant.v.j2) must be for the layers they run.

The network format bounds |acc + bias| below 2**31 and mult below 2**31, so a unit sized for any
network multiplies 32 x 32 bits signed: four DSP48E2 and ~570 LUT per output lane. But the
network is known when the engine is generated, and its layers need far less: the frontend's
dyadic multipliers have 15 bits (generator/dyadic.py), and a layer's |acc + bias| is bounded by
its own weights, biases and input range. `build_engine` sizes each kernel's units from these
bounds (KernelSpec.quant_acc_bits, quant_mult_bits), `schedule.check_fits` refuses a layer that
exceeds them, so every layer an engine runs fits its units by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.ir.network import Network
from generator.ops.base import ACC_BITS, MULT_RANGE, ConvFamily

FULL_ACC_BITS = ACC_BITS  # |acc + bias| < 2**31 for every valid layer (ConvFamily.check_arrays)
FULL_MULT_BITS = MULT_RANGE[1].bit_length()  # mult < 2**31 (the network format)


def signed_bits(bound: int) -> int:
    """Bits of a two's complement integer that holds every value in [-bound, bound]."""
    return max(int(bound), 0).bit_length() + 1


def unsigned_bits(value: int) -> int:
    """Bits of an unsigned integer that holds `value` (at least 1: Verilog has no 0-bit bus)."""
    return max(int(value).bit_length(), 1)


def acc_bound(weight: np.ndarray, bias: np.ndarray, max_abs: int) -> int:
    """Largest |acc + bias| a conv-family layer can produce for any input of magnitude <= max_abs.

    `weight` has the output channel first (conv (K, k, k, C), depthwise (C, k, k)); every output
    sums products of its channel's weights with input values (zero padding adds nothing, a
    deformable tap reads one input value per weight), so per channel o
    |acc[o]| <= max_abs * sum |weight[o]| + |bias[o]|, reached when every input takes its
    weight's sign at full magnitude. Exact in int64: the format keeps the bound below 2**31.
    """
    w = np.abs(np.asarray(weight, dtype=np.int64)).reshape(len(weight), -1).sum(axis=1)
    return int((w * int(max_abs) + np.abs(np.asarray(bias, dtype=np.int64))).max(initial=0))


@dataclass(frozen=True)
class QuantWidths:
    """Operand widths of a requantisation unit: `acc_bits` signed bits of acc + bias, `mult_bits`
    unsigned bits of the multiplier (the product is acc_bits + mult_bits bits signed)."""

    acc_bits: int = FULL_ACC_BITS
    mult_bits: int = FULL_MULT_BITS

    def covers(self, other: QuantWidths) -> bool:
        return self.acc_bits >= other.acc_bits and self.mult_bits >= other.mult_bits

    def union(self, other: QuantWidths) -> QuantWidths:
        return QuantWidths(max(self.acc_bits, other.acc_bits), max(self.mult_bits, other.mult_bits))

    @property
    def product_bits(self) -> int:
        return self.acc_bits + self.mult_bits


def layer_widths(weight: np.ndarray, bias: np.ndarray, mult: np.ndarray, max_abs: int) -> QuantWidths:
    """The widths one conv-family layer needs (`max_abs`: its input type's largest |value|)."""
    mult_max = int(np.asarray(mult, dtype=np.int64).max(initial=0))
    return QuantWidths(signed_bits(acc_bound(weight, bias, max_abs)), unsigned_bits(mult_max))


def network_layer_widths(net: Network, layer: ConvFamily) -> QuantWidths:
    """`layer_widths` of a conv-family layer of `net`, from its arrays and input type."""
    a = net.layer_arrays(layer)
    return layer_widths(a["weight"], a["bias"], a["mult"], net.in_types(layer)[0].max_abs)


def narrow_requantize(acc: np.ndarray, mult: np.ndarray | int, shift: np.ndarray | int, lo: int, hi: int,
                      widths: QuantWidths) -> np.ndarray:
    """generator.golden.requantize as ag_quant computes it at `widths`, bit for bit: acc + bias
    wrapped to acc_bits, mult to mult_bits, the product to acc_bits + mult_bits (QP), the shift
    saturated at QP, product + rounding term wrapped to QP + 1 bits, then shifted and clamped.
    Equal to the golden result whenever the operands fit the widths (the contract the engine's
    sizing keeps); tests use it to show the RTL's arithmetic is exact, not just lucky."""
    qp = widths.product_bits

    def wrap(v: np.ndarray, bits: int) -> np.ndarray:
        m = np.int64(1) << np.int64(bits - 1)
        mask = ~(np.int64(-1) << np.int64(bits))  # bits ones, without overflowing at 63
        return ((v + m) & mask) - m if bits < 64 else v

    a = wrap(np.asarray(acc, dtype=np.int64), widths.acc_bits)
    m = np.asarray(mult, dtype=np.int64) & ((np.int64(1) << np.int64(widths.mult_bits)) - 1)
    s = np.minimum(np.asarray(shift, dtype=np.int64), qp)
    p = wrap(a * m, qp)
    r = np.where(s > 0, np.left_shift(np.int64(1), np.maximum(s - 1, 0)), 0)
    q = wrap(p + r, qp + 1)
    return np.clip(np.right_shift(q, s), lo, hi).astype(np.int64)
