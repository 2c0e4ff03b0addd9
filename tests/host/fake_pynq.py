"""A test double of the pynq package: Overlay, allocate, MMIO and AXI DMA channels.

Inject it with `monkeypatch.setitem(sys.modules, "pynq", fake_pynq)`. The fake board records every
register write as (offset, value); on ap_start it runs the pass the registers describe with the
host's register-level emulator, reading its streams from the buffers handed to the DMA channels
and the weight memory from the address in the `weights` register, like the fabric would. With
`n_cmds` > 0 it runs the command list at the `cmds` address over the buffer at `act_in0`.
`CONFIG` shapes the board: `engine` (another design's engine.json: signature mismatch),
`hang_pass` (the n-th pass never raises ap_done).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from host.devices.emulator import Emulator

CONFIG: dict[str, Any] = {}  # keys: engine (another design's engine.json), hang_pass (n-th pass hangs)
_BUFFERS: dict[int, FakeBuffer] = {}
_NEXT = [0x4000_0000]


def reset(**config: Any) -> None:
    CONFIG.clear()
    CONFIG.update(config)
    _BUFFERS.clear()


class FakeBuffer(np.ndarray):
    physical_address: int = 0
    flushes = 0
    invalidates = 0

    def flush(self) -> None:
        self.flushes += 1

    def invalidate(self) -> None:
        self.invalidates += 1

    def freebuffer(self) -> None:
        _BUFFERS.pop(self.physical_address, None)


def allocate(shape, dtype=np.uint32, **kwargs) -> FakeBuffer:
    buf = np.zeros(shape, dtype=dtype).view(FakeBuffer)
    buf.physical_address = _NEXT[0]
    _NEXT[0] += max(0x1000, -(-buf.nbytes // 0x1000) * 0x1000)
    _BUFFERS[buf.physical_address] = buf
    return buf


class FakeChannel:
    def __init__(self) -> None:
        self.pending: np.ndarray | None = None
        self.transfers = 0

    def transfer(self, buf: np.ndarray) -> None:
        if self.pending is not None:
            raise RuntimeError("DMA channel is busy")
        self.pending = buf
        self.transfers += 1

    @property
    def idle(self) -> bool:
        return self.pending is None

    def wait(self) -> None:  # the real one blocks forever on a hang: the host must not call it
        raise AssertionError("host called a blocking DMA wait()")


class FakeDMA:
    def __init__(self) -> None:
        self.sendchannel = FakeChannel()
        self.recvchannel = FakeChannel()


class MMIO:
    def __init__(self, board: FakeEngine) -> None:
        self.board = board
        self.regs: dict[int, int] = {}
        self.writes: list[tuple[int, int]] = []

    def write(self, offset: int, value: int) -> None:
        if not 0 <= value < 1 << 32:
            raise ValueError(f"MMIO write of {value} at 0x{offset:x} does not fit 32 bits")
        self.writes.append((offset, value))
        self.regs[offset] = value
        if offset == self.board.ctrl and value & 1:
            self.board.start()

    def read(self, offset: int) -> int:
        return self.regs.get(offset, 0)


class FakeEngine:
    """The engine IP: its MMIO, and the pass it runs on ap_start."""

    def __init__(self, overlay: Overlay, host_dir: Path) -> None:
        regmap = json.loads((host_dir / "regmap.json").read_text())
        engine = CONFIG.get("engine") or json.loads((host_dir / "engine.json").read_text())
        self.offsets = {r["name"]: r["offset"] for r in regmap["registers"]}
        self.names = [r["name"] for r in regmap["registers"] if r["access"] == "w" and r["scope"] == "pass"]
        self.cmd_fields = tuple(regmap["commands"]["fields"])
        self.cmd_words = regmap["commands"]["words"]
        self.ctrl = regmap["control"]["ctrl"]
        self.emulator = Emulator(engine, regmap["modes"])
        self.overlay = overlay
        self.mmio = MMIO(self)
        self.passes = 0

    def start(self) -> None:
        m = self.mmio.regs
        self.passes += 1
        m[self.ctrl] = 0
        if CONFIG.get("hang_pass") == self.passes:
            return  # never done
        def ptr(name: str) -> int:
            return m.get(self.offsets[name], 0) | (m.get(self.offsets[name] + 4, 0) << 32)

        wmem = _BUFFERS[ptr("weights")]
        n_cmds = m.get(self.offsets["n_cmds"], 0)
        if n_cmds:
            base = max(a for a in _BUFFERS if a <= ptr("cmds"))
            first = (ptr("cmds") - base) // 8
            table = _BUFFERS[base][first:first + n_cmds * self.cmd_words]
            self.emulator.run_list(table, n_cmds, _BUFFERS[ptr("act_in0")], wmem, self.cmd_fields)
        else:
            dma = self.overlay.dmas
            in0, in1, out = dma["dma0"].sendchannel, dma["dma1"].sendchannel, dma["dma0"].recvchannel
            regs = {n: m.get(self.offsets[n], 0) for n in self.names}
            res = self.emulator.run_pass(regs, in0.pending, in1.pending, wmem)
            if res is not None:
                out.pending[:] = res
            in0.pending = in1.pending = out.pending = None
        m[self.offsets["signature"]] = self.emulator.signature
        m[self.ctrl] = 2 | 4


class Overlay:
    def __init__(self, bitfile: str, download: bool = True) -> None:
        bit = Path(bitfile)
        if not bit.exists() or not bit.with_suffix(".hwh").exists():
            raise OSError(f"{bitfile} or its .hwh not found")
        self.bitfile_name = str(bit)
        # as hls_templates/vivado/create_bd.tcl.j2: engine `accel`, dma0 (in0 + out), dma1 (in1)
        self.dmas = {n: FakeDMA() for n in ("dma0", "dma1")}
        self.accel = FakeEngine(self, bit.parent / "host")
        self.ip_dict = {"accel": {"registers": {"signature": {}, "mode": {}}}, "dma0": {}, "dma1": {}, "ps": {}}
        for n, d in self.dmas.items():
            setattr(self, n, d)
