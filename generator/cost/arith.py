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
