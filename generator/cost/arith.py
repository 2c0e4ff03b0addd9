"""LUT cost of arithmetic: multipliers L_M(Qw, Qa), adders L_A(Qp) = Qp + 7, adder trees."""

from __future__ import annotations

import math

from generator.cost.calibration import Calibration

L_M_MIN_BITS, L_M_MAX_BITS = 2, 8


def lut_mult(qw: int, qa: int, cal: Calibration) -> int:
    """LUTs of one Qw x Qa multiplier mapped to fabric (HAO Fig. 13.2 table, 2..8 bits)."""
    qw_c = min(max(qw, L_M_MIN_BITS), L_M_MAX_BITS)
    qa_c = min(max(qa, L_M_MIN_BITS), L_M_MAX_BITS)
    base = cal.lut_mult[str(qw_c)][qa_c - L_M_MIN_BITS]
    # beyond the table, a multiplier grows with the product of the widths
    return math.ceil(base * (qw / qw_c) * (qa / qa_c))


def lut_adder(qp: int, cal: Calibration) -> int:
    """L_A(Qp) = Qp + 7: LUTs of one Qp-bit adder."""
    return qp + cal.lut_adder_const


def psum_bits(product_bits: int, n_terms: int, cal: Calibration) -> int:
    """Bits of a sum of `n_terms` products of `product_bits` (capped at the accumulator)."""
    return min(product_bits + max(n_terms - 1, 0).bit_length(), cal.acc_bits)


def adder_tree(n_inputs: int, product_bits: int, cal: Calibration) -> tuple[int, int]:
    """(LUTs, FFs) of a pipelined tree summing `n_inputs` products; widths grow per level."""
    luts = ffs = 0
    n, bits = n_inputs, product_bits
    while n > 1:
        adds = n // 2
        bits = min(bits + 1, cal.acc_bits)
        luts += adds * lut_adder(bits, cal)
        ffs += math.ceil(adds * bits * cal.ff_per_adder_bit)
        n = n - adds
    return luts, ffs


def accumulator(lanes: int, cal: Calibration) -> tuple[int, int]:
    """(LUTs, FFs) of `lanes` accumulators of acc_bits."""
    return lanes * lut_adder(cal.acc_bits, cal), lanes * cal.acc_bits


# DSP48E2 as yosys (synth_xilinx -family xcup, techmap mul2dsp.v) uses it: a signed 27 x 18
# multiplier; unsigned operands get a sign bit; a wider operand is cut into 17-bit unsigned
# slices (18 bits with their zero sign bit) plus the rest, each slice a multiply of its own.
DSP_A_BITS, DSP_B_BITS = 27, 18
DSP_A_PARTIAL_BITS = 18  # mul2dsp's DSP_A_MAXWIDTH_PARTIAL for xcup
DSP_SLICE_BITS = 17  # bits of an operand per slice: a partial width less the zero sign bit
DSP_MIN_BITS, DSP_MIN_PRODUCT_BITS = 2, 9  # smaller multiplies stay in LUTs


def dsp48e2_tiles(a_bits: int, b_bits: int, product_bits: int | None = None) -> int:
    """DSP48E2s of one signed `a_bits` x `b_bits` multiply as yosys' mul2dsp tiles it.

    The wider operand goes on A (once, at the top); while A exceeds 27 bits it is cut into
    17-bit slices from the bottom and the rest (each slice times all of B); then, while B exceeds
    18 bits, B likewise. Measured against yosys 0.23 on ag_quant (generator/cost/quant_fit.py):
    e.g. 20 x 16 -> 1, 20 x 19 -> 2 (no second swap), 32 x 32 -> 4.
    """
    y = a_bits + b_bits if product_bits is None else product_bits
    if min(a_bits, b_bits) < DSP_MIN_BITS or y < DSP_MIN_PRODUCT_BITS:
        return 0
    a, b = max(a_bits, b_bits), min(a_bits, b_bits)
    return _tiles(a, b)


def _tiles(a: int, b: int) -> int:
    if a > DSP_A_BITS:
        n = (a - DSP_A_BITS + DSP_SLICE_BITS - 1) // DSP_SLICE_BITS
        return n * _tiles(DSP_A_PARTIAL_BITS, b) + _tiles(a - n * DSP_SLICE_BITS, b)
    if b > DSP_B_BITS:
        n = (b - DSP_B_BITS + DSP_SLICE_BITS - 1) // DSP_SLICE_BITS
        return n * _tiles(a, DSP_B_BITS) + _tiles(a, b - n * DSP_SLICE_BITS)
    return 1
