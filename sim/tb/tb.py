"""The engine testbench: one TB class owning clock, reset and every bus model of accel_top.

AXI4-Lite master on `s_axi_control`, AXI4-Stream sources on in0/in1 and a sink on out, an AXI
RAM on the `gmem` master holding the weight image. `run_pass` programs a pass's registers,
streams its inputs, collects its output and counts cycles from ap_start to ap_done (the
interrupt, so the same count works on RTL exported by Vitis HLS).
"""

from __future__ import annotations

import random

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotb.utils import get_sim_time
from cocotbext.axi import (
    AxiLiteBus,
    AxiLiteMaster,
    AxiRamRead,
    AxiReadBus,
    AxiStreamBus,
    AxiStreamFrame,
    AxiStreamSink,
    AxiStreamSource,
)

from generator.hw import regmap

CLOCK_NS = 10
RAM_SIZE = 1 << 22


def fit_bus(bus):
    """Drop the optional signals whose width differs from what the cocotbext-axi model expects:
    RTL exported by Vitis HLS has e.g. a 2-bit (AXI3) ARLOCK and ARUSER/ARREGION/ARQOS ports that
    our RTL does not, and the weight reads never depend on them."""
    from cocotbext.axi.axi_channels import AxiARSink, AxiRSource

    for ch, model in ((bus.ar, AxiARSink), (bus.r, AxiRSource)):
        widths = model._signal_widths
        for sig in list(ch._signals):
            if sig in model._optional_signals and sig in widths and len(ch._signals[sig]) != widths[sig]:
                del ch._signals[sig]
                delattr(ch, sig)
    return bus


def pause_gen(p: float, rng: random.Random):
    while True:
        yield rng.random() < p


class EngineTB:
    def __init__(self, dut, seed: int = 0, bubbles: float = 0.0, backpressure: float = 0.0) -> None:
        self.dut = dut
        self.rng = random.Random(seed)
        cocotb.start_soon(Clock(dut.ap_clk, CLOCK_NS, unit="ns").start())
        # ap_rst_n (our RTL, Vitis with AXI interfaces) or an active-high ap_rst (config_rtl -reset_level high)
        self.rst_low = hasattr(dut, "ap_rst_n")
        clk, rst = dut.ap_clk, (dut.ap_rst_n if self.rst_low else dut.ap_rst)
        self.rst = rst
        lvl = dict(reset_active_level=not self.rst_low)
        self.axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axi_control"), clk, rst, **lvl)
        self.in0 = AxiStreamSource(AxiStreamBus.from_prefix(dut, "in0"), clk, rst, **lvl)
        self.in1 = AxiStreamSource(AxiStreamBus.from_prefix(dut, "in1"), clk, rst, **lvl)
        self.out = AxiStreamSink(AxiStreamBus.from_prefix(dut, "out"), clk, rst, **lvl)
        self.ram = AxiRamRead(fit_bus(AxiReadBus.from_prefix(dut, "m_axi_gmem")), clk, rst, **lvl, size=RAM_SIZE)
        # ap_done through the interrupt port when there is one, else by polling the control register
        self.has_irq = hasattr(dut, "interrupt")
        self._tie_off_write(dut)
        self.set_traffic(bubbles, backpressure)

    def set_traffic(self, bubbles: float, backpressure: float) -> None:
        """Random tvalid bubbles on the inputs and random tready back-pressure on the output; the
        weight memory alike: random read latency (rvalid bubbles) and arready back-pressure, so
        the weight loader is exercised with words arriving late and unevenly."""
        for src, p in ((self.in0, bubbles), (self.in1, bubbles), (self.ram.r_channel, bubbles),
                       (self.out, backpressure), (self.ram.ar_channel, backpressure)):
            if p > 0:
                src.set_pause_generator(pause_gen(p, self.rng))
            else:
                src.clear_pause_generator()

    @property
    def cycle(self) -> int:
        return int(get_sim_time(unit="ns")) // CLOCK_NS

    @staticmethod
    def _tie_off_write(dut) -> None:
        """The engine never writes memory; answer the inputs of the write channels Vitis exports."""
        for name, value in (("AWREADY", 0), ("WREADY", 0), ("BVALID", 0), ("BRESP", 0), ("BID", 0), ("BUSER", 0)):
            if hasattr(dut, f"m_axi_gmem_{name}"):
                getattr(dut, f"m_axi_gmem_{name}").value = value

    async def reset(self, cycles: int = 4) -> None:
        self.rst.value = 0 if self.rst_low else 1
        await ClockCycles(self.dut.ap_clk, cycles)
        self.rst.value = 1 if self.rst_low else 0
        await ClockCycles(self.dut.ap_clk, 2)
        if self.has_irq:
            await self.write(regmap.GIE, 1)
            await self.write(regmap.IER, 1)  # interrupt on ap_done

    async def write(self, addr: int, value: int) -> None:
        await self.axil.write_dword(addr, value & 0xFFFFFFFF)

    async def read(self, addr: int) -> int:
        return await self.axil.read_dword(addr)

    async def write_reg(self, name: str, value: int) -> None:
        r = regmap.BY_NAME[name]
        await self.write(r.offset, value)
        if r.width == 64:
            await self.write(r.offset + 4, value >> 32)

    async def read_reg(self, name: str) -> int:
        r = regmap.BY_NAME[name]
        v = await self.read(r.offset)
        if r.width == 64:
            v |= await self.read(r.offset + 4) << 32
        return v

    def send(self, stream: AxiStreamSource, words: np.ndarray) -> None:
        if len(words):
            stream.send_nowait(AxiStreamFrame(np.asarray(words, dtype="<u8").tobytes()))

    async def run_pass(self, regs: dict[str, int], in0: np.ndarray, in1: np.ndarray | None,
                       n_out: int, timeout: int = 2_000_000) -> tuple[np.ndarray, int]:
        """One engine pass; returns the output beats and the cycles from ap_start to ap_done."""
        for name in regmap.LAYER_REGS:
            await self.write_reg(name, int(regs[name]))
        self.send(self.in0, in0)
        if in1 is not None:
            self.send(self.in1, in1)
        rx = cocotb.start_soon(self.out.recv()) if n_out else None
        await self.write(regmap.CTRL, regmap.AP_START)
        t0 = self.cycle
        if self.has_irq:
            while not self.dut.interrupt.value:
                await RisingEdge(self.dut.ap_clk)
                if self.cycle - t0 > timeout:
                    raise TimeoutError(f"pass mode {regs['mode']}: no ap_done after {timeout} cycles")
            cycles = self.cycle - t0
            await self.write(regmap.ISR, 1)  # toggle-on-write: clear ap_done
            ctrl = await self.read(regmap.CTRL)
        else:  # no interrupt port: poll ap_done (clear-on-read), cycles to within a register read
            while not (ctrl := await self.read(regmap.CTRL)) & regmap.AP_DONE:
                if self.cycle - t0 > timeout:
                    raise TimeoutError(f"pass mode {regs['mode']}: no ap_done after {timeout} cycles")
            cycles = self.cycle - t0
            ctrl = await self.read(regmap.CTRL)
        if not ctrl & regmap.AP_IDLE:
            raise AssertionError(f"engine not idle after ap_done (ctrl = {ctrl:#x})")
        if rx is None:
            return np.zeros(0, dtype=np.uint64), cycles
        frame = await rx
        out = np.frombuffer(bytes(frame.tdata), dtype="<u8").astype(np.uint64)
        if len(out) != n_out:
            raise AssertionError(f"pass mode {regs['mode']}: {len(out)} output beats, expected {n_out}")
        if not self.out.empty():
            raise AssertionError(f"pass mode {regs['mode']}: extra output beats after TLAST")
        if not (self.in0.empty() and self.in1.empty()):
            raise AssertionError(f"pass mode {regs['mode']}: input beats left unconsumed")
        return out, cycles
