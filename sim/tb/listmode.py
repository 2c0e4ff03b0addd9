"""Command-list mode of the engine testbench: a memory behind the activation masters, lists run
as the host runs them (docs/architecture.md, "Command lists"; sim/run_csim.py::run_schedule_list).

The descriptor table sits in the gmem RAM after the weight image (written once, as the host does at
load); the activation memory is one AXI RAM shared by gact0/gact1 (read) and gact2 (write). Each
run of engine passes is one list: its input tensors are written into the activation memory, the
engine is started once with n_cmds/cmds/act_*, and after ap_done every tensor the list wrote is
read back. ARM steps run with the golden ops between lists.

Cycles are counted on the ports, so the same count works on RTL exported by Vitis HLS: a pass
runs from the first cycle its descriptor's read address is valid on gmem (`fetch`) to the last
write response on gact2 before the next descriptor's fetch (`end`); `first_read` is its first
address on gact0, `last_write` its last W beat. A list runs from ap_start to ap_done.
"""

from __future__ import annotations

import random
from typing import Any

import cocotb
import numpy as np
from cocotb.triggers import RisingEdge
from cocotbext.axi import AxiRamRead, AxiRamWrite, AxiReadBus, AxiWriteBus

from generator.hw import regmap
from generator.hw.commands import command_lists
from generator.hw.layout import pack_tensor, unpack_tensor
from generator.hw.schedule import Schedule, tensor_beats
from generator.ir.network import Network
from generator.reference import check_inputs
from sim.tb.tb import EngineTB, fit_bus, pause_gen

ACT_SKEW = 0x40  # the activation memory starts 64 bytes past a 4 KiB boundary: bursts must split


def _align(x: int, a: int) -> int:
    return -(-x // a) * a


class ListRams:
    """AXI RAMs on gact0, gact1 (read) and gact2 (write) sharing one memory, and a port monitor."""

    def __init__(self, tb: EngineTB, size: int, seed: int = 0, bubbles: float = 0.0,
                 backpressure: float = 0.0) -> None:
        dut, clk, rst = tb.dut, tb.dut.ap_clk, tb.rst
        lvl = dict(reset_active_level=not tb.rst_low)
        self.tb = tb
        self.rd0 = AxiRamRead(fit_bus(AxiReadBus.from_prefix(dut, "m_axi_gact0")), clk, rst, **lvl, size=size)
        self.rd1 = AxiRamRead(fit_bus(AxiReadBus.from_prefix(dut, "m_axi_gact1")), clk, rst, **lvl,
                              mem=self.rd0.mem, size=size)
        self.wr = AxiRamWrite(AxiWriteBus.from_prefix(dut, "m_axi_gact2"), clk, rst, **lvl, mem=self.rd0.mem,
                              size=size)
        rng = random.Random(seed + 1)
        # random latency (R valid bubbles, late B) and back-pressure (AR/AW/W ready) on every master
        for ch, p in ((self.rd0.r_channel, bubbles), (self.rd1.r_channel, bubbles), (tb.ram.r_channel, bubbles),
                      (self.wr.b_channel, bubbles), (self.rd0.ar_channel, backpressure),
                      (self.rd1.ar_channel, backpressure), (tb.ram.ar_channel, backpressure),
                      (self.wr.aw_channel, backpressure), (self.wr.w_channel, backpressure)):
            if p > 0:
                ch.set_pause_generator(pause_gen(p, rng))
        self.events: dict[str, list[tuple[int, int]]] = {}
        self.watching = False

    def write_words(self, addr: int, words: np.ndarray) -> None:
        self.rd0.write(addr, np.asarray(words, dtype="<u8").tobytes())

    def read_words(self, addr: int, n: int) -> np.ndarray:
        return np.frombuffer(self.rd0.read(addr, 8 * n), dtype="<u8").astype(np.uint64)

    async def monitor(self) -> None:
        """Record (cycle, value) of the port events a pass's cycles are counted from."""
        d = self.tb.dut
        ev = self.events
        ar_prev = False
        while self.watching:
            await RisingEdge(d.ap_clk)
            c = self.tb.cycle
            ar = bool(d.m_axi_gmem_ARVALID.value)
            if ar and not ar_prev:
                ev.setdefault("gmem_ar", []).append((c, int(d.m_axi_gmem_ARADDR.value)))
            ar_prev = ar and not d.m_axi_gmem_ARREADY.value
            if d.m_axi_gmem_RVALID.value and d.m_axi_gmem_RREADY.value:
                ev.setdefault("gmem_r", []).append((c, 0))
            if d.m_axi_gact0_ARVALID.value and d.m_axi_gact0_ARREADY.value:
                ev.setdefault("gact0_ar", []).append((c, int(d.m_axi_gact0_ARADDR.value)))
            for m, ch in (("gmem", "AR"), ("gact0", "AR"), ("gact1", "AR"), ("gact2", "AW")):
                if getattr(d, f"m_axi_{m}_{ch}VALID").value and getattr(d, f"m_axi_{m}_{ch}READY").value:
                    check_burst(m, ch, int(getattr(d, f"m_axi_{m}_{ch}ADDR").value),
                                int(getattr(d, f"m_axi_{m}_{ch}LEN").value) + 1)
            if d.m_axi_gact2_WVALID.value and d.m_axi_gact2_WREADY.value:
                ev.setdefault("gact2_w", []).append((c, 0))
            if d.m_axi_gact2_BVALID.value and d.m_axi_gact2_BREADY.value:
                ev.setdefault("gact2_b", []).append((c, 0))


MAX_BURST = {"AR": 64, "AW": 16}


def check_burst(master: str, ch: str, addr: int, beats: int) -> None:
    """A burst stays within one 4 KiB page and the DMA's burst length, on 64-bit aligned words."""
    if addr % 8 or beats > MAX_BURST[ch] or (addr % 4096) + 8 * beats > 4096:
        raise AssertionError(f"m_axi_{master}: {ch} burst of {beats} beats at {addr:#x} (crosses 4 KiB, "
                             f"is unaligned or longer than {MAX_BURST[ch]})")


def pass_cycles(events: dict[str, list[tuple[int, int]]], cmds: int, n: int, t_done: int) -> list[dict[str, int]]:
    """Per pass of a list: fetch start, first read, last write beat, last write response (cycles)."""
    fetch = []
    for i in range(n):
        addr = cmds + 8 * regmap.CMD_WORDS * i
        hits = [c for c, a in events.get("gmem_ar", []) if a == addr]
        if not hits:
            raise AssertionError(f"descriptor {i}: no read of {addr:#x} on gmem")
        fetch.append(hits[0])
    out = []
    for i in range(n):
        t0, t1 = fetch[i], fetch[i + 1] if i + 1 < n else t_done

        b, w, r, g = ([c for c, _ in events.get(name, []) if t0 <= c < t1]
                      for name in ("gact2_b", "gact2_w", "gact0_ar", "gmem_r"))
        end = b[-1] if b else t0
        out.append({"fetch": t0, "first_word": g[0] if g else -1, "first_read": r[0] if r else -1,
                    "last_write": w[-1] if w else -1, "end": end, "cycles": end - t0 + 1})
    return out


async def run_schedule_list(tb: EngineTB, rams: ListRams, net: Network, sched: Schedule, cmds_base: int,
                            act_base: int, inputs: dict[str, np.ndarray], timeout: int = 5_000_000
                            ) -> tuple[dict[str, np.ndarray], list[dict[str, Any]], list[dict[str, Any]]]:
    """Every tensor of one frame, the engine passes (with their list-mode cycles) and the lists."""
    tensors = check_inputs(net, inputs)
    in_act: set[str] = set()
    passes: list[dict[str, Any]] = []
    lists: list[dict[str, Any]] = []
    first = 0  # descriptor index of the current list in the table

    def put(name: str) -> None:
        rams.write_words(act_base + 8 * sched.act_offsets[name], pack_tensor(tensors[name], sched.act_bits))
        in_act.add(name)

    def get(name: str) -> np.ndarray:
        info = sched.tensors[name]
        words = rams.read_words(act_base + 8 * sched.act_offsets[name], tensor_beats(info, sched.act_bits))
        return unpack_tensor(words, info.shape, sched.act_bits, info.signed)

    for cl, arm in command_lists(sched):
        if cl is None:
            assert arm is not None
            layer = net.by_name[arm.layer]
            tensors[arm.output] = layer.golden([tensors[n] for n in layer.inputs], net.layer_arrays(layer),
                                               net.types[layer.name])
            in_act.discard(arm.output)
            continue
        for name in cl.external_inputs:
            if name not in in_act:
                put(name)
        cmds = cmds_base + 8 * regmap.CMD_WORDS * first
        first += cl.n
        await tb.write_reg("n_cmds", cl.n)
        await tb.write_reg("cmds", cmds)
        for r in ("act_in0", "act_in1", "act_out"):
            await tb.write_reg(r, act_base)
        rams.events = {}
        rams.watching = True
        mon = cocotb.start_soon(rams.monitor())
        await tb.write(regmap.CTRL, regmap.AP_START)
        t0 = tb.cycle
        what = f"list {cl.steps[0].layer}..{cl.steps[-1].layer}"
        if tb.has_irq:
            while not tb.dut.interrupt.value:
                await RisingEdge(tb.dut.ap_clk)
                if tb.cycle - t0 > timeout:
                    raise TimeoutError(f"{what}: no ap_done after {timeout} cycles")
        else:  # no interrupt port: poll ap_done (clear-on-read)
            while not await tb.read(regmap.CTRL) & regmap.AP_DONE:
                if tb.cycle - t0 > timeout:
                    raise TimeoutError(f"{what}: no ap_done after {timeout} cycles")
        t_done = tb.cycle
        rams.watching = False
        await mon
        if tb.has_irq:
            await tb.write(regmap.ISR, 1)
        ctrl = await tb.read(regmap.CTRL)
        if not ctrl & regmap.AP_IDLE:
            raise AssertionError(f"engine not idle after a list's ap_done (ctrl = {ctrl:#x})")
        per = pass_cycles(rams.events, cmds, cl.n, t_done)
        rows = []
        for st, pc in zip(cl.steps, per):
            tensors[st.output] = get(st.output)
            in_act.add(st.output)
            row = {"layer": st.layer, "kernel": st.kernel, "regs": dict(st.regs), "list": len(lists),
                   "cycles": pc["cycles"], "fetch_latency": pc["first_word"] - pc["fetch"],
                   "fetch_to_read": pc["first_read"] - pc["fetch"],
                   "write_drain": pc["end"] - pc["last_write"]}
            rows.append(row)
        passes += rows
        lists.append({"first": cl.steps[0].layer, "last": cl.steps[-1].layer, "passes": cl.n,
                      "cycles": t_done - t0, "pass_cycles": [r["cycles"] for r in rows]})
    await tb.write_reg("n_cmds", 0)  # back to one pass per start
    return tensors, passes, lists


def layout(sched: Schedule, weights_base: int, weight_words: int) -> tuple[int, int, int]:
    """(cmds byte address in the gmem RAM, activation base, activation memory bytes)."""
    # the second descriptor straddles a 4 KiB boundary (its fetch splits in two bursts)
    cmds = _align(weights_base + 8 * weight_words, 4096) + 4096 - 8 * regmap.CMD_WORDS - 64
    size = _align(ACT_SKEW + 8 * max(sched.act_words, 1), 4096)
    return cmds, ACT_SKEW, size


