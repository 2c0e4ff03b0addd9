"""The real board: pynq.Overlay (bitstream + .hwh), pynq.allocate buffers, MMIO registers, AXI DMA.

The block design (hls_templates/vivado/create_bd.tcl.j2) has the engine IP `accel`, whose
AXI4-Lite registers are those of regmap.json, and two AXI DMAs: `dma0` (MM2S -> in0, S2MM <- out)
and `dma1` (MM2S -> in1). The engine is found in the overlay's ip_dict as the IP whose registers
include `signature` (else a name containing 'accel'); the stream roles map to DMA IP names through
`dmas` (default DEFAULT_DMAS), so another block design only needs another mapping.

pynq is imported only in `open`, so this module imports on any machine.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Any

import numpy as np

from host.devices.base import Device
from host.errors import DeviceError, HostError, PassTimeout, SignatureError
from host.project import Project

# stream role -> (DMA IP name in the block design, channel)
DEFAULT_DMAS = {"in0": "dma0", "in1": "dma1", "out": "dma0"}
CHANNEL = {"in0": "sendchannel", "in1": "sendchannel", "out": "recvchannel"}


class PynqDevice(Device):
    name = "pynq"

    def __init__(self, bitstream: str | Path | None = None, ip: str | None = None,
                 dmas: dict[str, str] | None = None, poll_s: float = 20e-6, download: bool = True) -> None:
        self.bitstream = Path(bitstream) if bitstream is not None else None
        self.ip_name = ip
        self.dma_names = {**DEFAULT_DMAS, **(dmas or {})}
        self.poll_s = poll_s
        self.download = download
        self.pynq: Any = None
        self.overlay: Any = None
        self.mmio: Any = None
        self.chan: dict[str, Any] = {}  # stream role -> DMA channel
        self.ctrl = self.ap_start = self.ap_done = 0
        self.buffers: list[Any] = []

    # ---- setup ------------------------------------------------------------------------------
    def open(self, project: Project) -> None:
        try:
            self.pynq = importlib.import_module("pynq")
        except ImportError:
            raise HostError("pynq device: the pynq package is not importable; run on the board inside the PYNQ "
                            "virtual environment (docs/board-bringup.md), or use --device sim") from None
        if self.bitstream is None:
            bit, _ = project.find_bitstream()
        else:
            bit = self.bitstream
            if bit.name != project.bitstream_name():
                raise SignatureError(f"bitstream: {bit.name} does not carry the host files' design signature "
                                     f"({project.bitstream_name()})")
            if not bit.with_suffix(".hwh").exists():
                raise HostError(f"bitstream: {bit} has no {bit.with_suffix('.hwh').name} beside it")
        try:
            self.overlay = self.pynq.Overlay(str(bit), download=self.download)
        except Exception as e:  # pynq raises many types (RuntimeError, OSError, ValueError...)
            raise DeviceError(f"pynq device: loading overlay {bit} failed: {e}") from None
        ip_dict = dict(getattr(self.overlay, "ip_dict", {}))
        name = self.ip_name or self._find_engine(ip_dict)
        self.mmio = getattr(self.overlay, name).mmio
        for role, dname in self.dma_names.items():
            if dname not in ip_dict:
                raise DeviceError(f"pynq device: no DMA '{dname}' for stream {role} in the overlay (IPs: "
                                  f"{', '.join(sorted(ip_dict)) or 'none'}); pass dmas={{'{role}': NAME}}")
            self.chan[role] = getattr(getattr(self.overlay, dname), CHANNEL[role])
        ctrl = project.regmap.control
        self.ctrl, self.ap_start, self.ap_done = ctrl["ctrl"], ctrl["ap_start"], ctrl["ap_done"]
        self.name = f"pynq ({bit.name})"

    @staticmethod
    def _find_engine(ip_dict: dict[str, Any]) -> str:
        for name, info in ip_dict.items():
            if "signature" in (info.get("registers") or {}):
                return name
        for name in ip_dict:
            if "accel" in name.lower():
                return name
        raise DeviceError(f"pynq device: no engine IP in the overlay (IPs: {', '.join(sorted(ip_dict)) or 'none'}); "
                          "pass ip=NAME")

    # ---- buffers and registers --------------------------------------------------------------
    def allocate(self, n_words: int, cacheable: bool = True) -> np.ndarray:
        shape = (max(int(n_words), 1),)
        buf = None
        if not cacheable:  # uncached mapping where this pynq supports it; else cached + flushes
            try:
                buf = self.pynq.allocate(shape=shape, dtype=np.uint64, cacheable=False)
            except TypeError:
                buf = None
        if buf is None:
            buf = self.pynq.allocate(shape=shape, dtype=np.uint64)
        self.buffers.append(buf)
        return buf if n_words else buf[:0]

    def _allocation(self, buf: np.ndarray) -> Any:
        """The allocated buffer `buf` is (or is a view of): cache maintenance acts on whole
        allocations, as a view's address range is not tracked by every pynq version."""
        for b in self.buffers:
            if buf is b or np.may_share_memory(buf, b):
                return b
        return buf

    def address(self, buf: np.ndarray) -> int:
        addr = getattr(buf, "device_address", None)
        return int(addr if addr is not None else buf.physical_address)

    def sync_to_device(self, buf: np.ndarray) -> None:
        self._allocation(buf).flush()

    def sync_from_device(self, buf: np.ndarray) -> None:
        self._allocation(buf).invalidate()

    def write_reg(self, offset: int, value: int) -> None:
        self.mmio.write(offset, int(value) & 0xFFFFFFFF)

    def read_reg(self, offset: int) -> int:
        return int(self.mmio.read(offset))

    # ---- one pass ---------------------------------------------------------------------------
    def _wait(self, done: Any, timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not done():
            if time.monotonic() > deadline:
                raise PassTimeout(what.format(t=timeout_s))
            time.sleep(self.poll_s)

    def run(self, layer: str, in0: np.ndarray | None, in1: np.ndarray | None, out: np.ndarray | None,
            timeout_s: float) -> None:
        if out is not None and out.size:
            self.chan["out"].transfer(out)
        for role, buf in (("in0", in0), ("in1", in1)):
            if buf is not None and buf.size:
                buf.flush()
                self.chan[role].transfer(buf)
        self.write_reg(self.ctrl, self.ap_start)
        self._wait(lambda: self.read_reg(self.ctrl) & self.ap_done, timeout_s,
                   f"layer {layer}: engine did not signal ap_done within {{t:g}} s (a stream length or register is "
                   "wrong, or the bitstream hung)")
        for role, buf in (("in0", in0), ("in1", in1), ("out", out)):
            if buf is not None and buf.size:
                ch = self.chan[role]
                self._wait(lambda ch=ch: ch.idle, timeout_s,
                           f"layer {layer}: DMA {self.dma_names[role]} ({role} stream) did not finish within "
                           "{t:g} s after ap_done")
        if out is not None and out.size:
            out.invalidate()

    def close(self) -> None:
        for buf in self.buffers:
            try:
                buf.freebuffer()
            except Exception:  # noqa: BLE001 - best effort on shutdown
                pass
        self.buffers.clear()
