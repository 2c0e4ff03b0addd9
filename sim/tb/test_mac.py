"""ag_mac_array testbench: random activations and weights every cycle (extremes included), the PO
sums compared with numpy two cycles later, packed (two MACs per 27x18 multiply) and unpacked."""

from __future__ import annotations

import random

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge


def pack_lanes(vals, bits: int) -> int:
    v = 0
    for i, x in enumerate(vals):
        v |= (int(x) & ((1 << bits) - 1)) << (i * bits)
    return v


@cocotb.test()
async def random_vectors(dut):
    pi, po = int(dut.PI.value), int(dut.PO.value)
    ab, wb, mwb, accw = int(dut.AB.value), int(dut.WB.value), int(dut.MWB.value), int(dut.ACC_W.value)
    a_bits = int(cocotb.plusargs.get("a_bits", ab - 1))
    a_signed = cocotb.plusargs.get("a_signed", "0") == "1"
    rng = random.Random(int(cocotb.plusargs.get("seed", 1)))
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    alo, ahi = (-(1 << (a_bits - 1)), (1 << (a_bits - 1)) - 1) if a_signed else (0, (1 << a_bits) - 1)
    wlo, whi = -(1 << (mwb - 1)), (1 << (mwb - 1)) - 1
    n = int(cocotb.plusargs.get("n", 200))
    dut.en.value = 1
    await FallingEdge(dut.clk)  # drive between edges from the start
    hist = []
    for t in range(n + 2):
        a = [rng.choice([alo, ahi, rng.randint(alo, ahi)]) for _ in range(pi)]
        w = np.array([[rng.choice([wlo, whi, rng.randint(wlo, whi)]) for _ in range(pi)] for _ in range(po)])
        dut.a.value = pack_lanes(a, ab)
        dut.w.value = pack_lanes(w.reshape(-1), wb)
        hist.append(w @ np.array(a))
        await RisingEdge(dut.clk)
        await ReadOnly()
        if t >= 1:  # products register at edge t, sums at edge t+1
            raw = int(dut.sum.value)
            got = [((raw >> (o * accw)) & ((1 << accw) - 1)) for o in range(po)]
            got = [g - (1 << accw) if g >= 1 << (accw - 1) else g for g in got]
            assert got == list(hist[t - 1]), f"cycle {t}: rtl {got}, numpy {list(hist[t - 1])}"
        await FallingEdge(dut.clk)
