"""ag_quant testbench: random (acc, bias, mult, shift) every cycle, output compared with
generator.golden.requantize four cycles later; `en` randomly low holds the pipeline. The clamp
bounds are pass registers (static during a pass), so they are fixed per run (+signed=0/1).

Operands fill the unit's widths (QA_W, QM_W parameters: |acc + bias| and mult as large as the
engine promises it, generator/hw/quant.py), with their extremes and every boundary shift
(0, 1, QP - 1, QP, QP + 1 for the QP-bit product, 62) drawn often."""

from __future__ import annotations

import random

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import RisingEdge

from generator import golden


def to_signed(v: int, bits: int) -> int:
    return v - (1 << bits) if v >= 1 << (bits - 1) else v


class QuantTB:
    def __init__(self, dut) -> None:
        self.dut = dut
        self.out_w = int(dut.OUT_W.value)
        self.qa_w = int(dut.QA_W.value)
        self.qm_w = int(dut.QM_W.value)
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())

    def vector(self, rng: random.Random, signed: bool) -> tuple[int, ...]:
        b = self.out_w
        lo, hi = (-(1 << (b - 1)), (1 << (b - 1)) - 1) if signed else (0, (1 << b) - 1)
        amax = (1 << (self.qa_w - 1)) - 1  # acc + bias in [-amax - 1, amax]
        total = rng.choice([rng.randint(-amax - 1, amax), rng.randint(-5000, 5000), -amax - 1, amax, -amax, 0])
        total = max(min(total, amax), -amax - 1)
        bias = rng.choice([rng.randint(-amax - 1, amax), 0, rng.randint(-999, 999)])
        acc = total - bias
        if not -(1 << 31) <= acc < 1 << 31:  # acc is a 32-bit register: put it all there
            acc, bias = total, 0
        mmax = (1 << self.qm_w) - 1
        mult = rng.choice([rng.randint(0, mmax), 1, mmax, rng.randint(0, min(mmax, 1 << 16)), 0])
        qp = self.qa_w + self.qm_w
        shift = rng.choice([0, 1, rng.randint(0, 62), 62, rng.randint(20, 40),
                            min(qp - 1, 62), min(qp, 62), min(qp + 1, 62)])
        return acc, bias, mult, shift, lo, hi


@cocotb.test()
async def random_vectors(dut):
    tb = QuantTB(dut)
    rng = random.Random(int(cocotb.plusargs.get("seed", 1)))
    n = int(cocotb.plusargs.get("n", 400))
    signed = cocotb.plusargs.get("signed", "1") == "1"
    vecs = [tb.vector(rng, signed) for _ in range(n)]
    pending: list[int] = []
    got: list[int] = []
    dut.en.value = 0
    await cocotb.triggers.FallingEdge(dut.clk)  # drive between edges from the start
    i = 0
    stages = [None] * 4  # software model of the 4 pipeline registers
    while len(got) < n:
        en = rng.random() < 0.8
        dut.en.value = int(en)
        if i < n:
            acc, bias, mult, shift, lo, hi = vecs[i]
            dut.acc.value = acc & 0xFFFFFFFF
            dut.bias.value = bias & 0xFFFFFFFF
            dut.mult.value = mult
            dut.shift.value = shift
            dut.lo.value = lo & 0xFFFFFFFF
            dut.hi.value = hi & 0xFFFFFFFF
        await RisingEdge(dut.clk)
        if en:
            stages = [i if i < n else None] + stages[:3]
            i += 1
            if stages[3] is not None:
                pending.append(stages[3])
        await cocotb.triggers.ReadOnly()
        if en and stages[3] is not None:
            got.append(to_signed(int(dut.y.value), tb.out_w))
        await cocotb.triggers.FallingEdge(dut.clk)
    for idx, y in zip(pending, got):
        acc, bias, mult, shift, lo, hi = vecs[idx]
        want = int(golden.requantize(np.array([acc + bias]), mult, shift, lo, hi)[0])
        want = to_signed(want & ((1 << tb.out_w) - 1), tb.out_w)
        assert y == want, f"vector {idx}: acc {acc} bias {bias} mult {mult} shift {shift} [{lo},{hi}]: rtl {y}, golden {want}"
