"""The simulated device: the engine's registers in a dict, passes run by the C-sim or the emulator.

Register semantics are the board's: the Accelerator writes every register of a pass at its
regmap.json offset, the weights pointer register holds the address of the weight buffer (the
device resolves it among the buffers it allocated), the signature register is valid after a NOP
pass, and ap_done is set in the control register when a pass finishes. A pass runs through

* the C-sim shared library `libaccel.so` (accelgen_run_pass, docs/architecture.md) via ctypes, or
* with `fast=True`, the numpy register-level emulator (host.devices.emulator).
"""

from __future__ import annotations

import ctypes
import re
import time
from pathlib import Path
from typing import Any

import numpy as np

from host.devices.base import Device
from host.devices.emulator import Emulator
from host.errors import DeviceError, PassTimeout
from host.project import Project

_BASE = 0x1000_0000
_ALIGN = 0x1000


def find_libaccel(project: Project) -> Path | None:
    """The C-sim library of a project: DIR/**/libaccel.so (first match in sorted order)."""
    found = sorted(project.root.rglob("libaccel.so"))
    return found[0] if found else None


class CSimLibrary:
    """ctypes binding of accelgen_run_pass / accelgen_last_error."""

    def __init__(self, path: str | Path) -> None:
        try:
            self.lib = ctypes.CDLL(str(path))
        except OSError as e:
            raise DeviceError(f"sim device: cannot load {path} ({e})") from None
        u64p = ctypes.POINTER(ctypes.c_uint64)
        try:
            fn = self.lib.accelgen_run_pass
            err = self.lib.accelgen_last_error
        except AttributeError as e:
            raise DeviceError(f"sim device: {path} does not export the C-sim ABI ({e})") from None
        fn.argtypes = [ctypes.POINTER(ctypes.c_uint32), u64p, ctypes.c_uint64, u64p, ctypes.c_uint64,
                       u64p, ctypes.c_uint64, u64p, ctypes.c_uint64, ctypes.POINTER(ctypes.c_uint32)]
        fn.restype = ctypes.c_int
        lst = getattr(self.lib, "accelgen_run_list", None)
        if lst is not None:
            lst.argtypes = [u64p, ctypes.c_uint32, u64p, ctypes.c_uint64, u64p, ctypes.c_uint64,
                            ctypes.POINTER(ctypes.c_uint32)]
            lst.restype = ctypes.c_int
        self.lst = lst
        err.argtypes = []
        err.restype = ctypes.c_char_p
        self.fn, self.err, self.path = fn, err, Path(path)

    @staticmethod
    def _ptr(a: np.ndarray | None) -> Any:
        if a is None or a.size == 0:
            return ctypes.cast(None, ctypes.POINTER(ctypes.c_uint64))
        return a.ctypes.data_as(ctypes.POINTER(ctypes.c_uint64))

    def run_pass(self, regs: np.ndarray, in0: np.ndarray | None, in1: np.ndarray | None,
                 out: np.ndarray | None, wmem: np.ndarray, layer: str) -> int:
        sig = ctypes.c_uint32(0)
        bufs = [None if a is None else np.ascontiguousarray(a, dtype=np.uint64) for a in (in0, in1, wmem)]
        out_arr = out if out is not None else None
        rc = self.fn(regs.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32)),
                     self._ptr(bufs[0]), 0 if bufs[0] is None else bufs[0].size,
                     self._ptr(bufs[1]), 0 if bufs[1] is None else bufs[1].size,
                     self._ptr(out_arr), 0 if out_arr is None else out_arr.size,
                     self._ptr(bufs[2]), bufs[2].size, ctypes.byref(sig))
        if rc != 0:
            msg = (self.err() or b"").decode(errors="replace").strip() or f"error code {rc}"
            raise DeviceError(f"layer {layer}: C-sim rejected the pass: {msg}")
        return int(sig.value)


    def run_list(self, cmds: np.ndarray, n_cmds: int, act: np.ndarray, wmem: np.ndarray, layer: str) -> int:
        if self.lst is None:
            raise DeviceError(f"sim device: {self.path} has no command-list entry (rebuild the C-sim)")
        sig = ctypes.c_uint32(0)
        cmds = np.ascontiguousarray(cmds, dtype=np.uint64)
        wm = np.ascontiguousarray(wmem, dtype=np.uint64)
        rc = self.lst(self._ptr(cmds), n_cmds, self._ptr(act), act.size, self._ptr(wm), wm.size, ctypes.byref(sig))
        if rc != 0:
            msg = (self.err() or b"").decode(errors="replace").strip() or f"error code {rc}"
            m = re.match(r"command (\d+): (.*)$", msg)
            if m:  # the Accelerator names the layer of descriptor N
                raise DeviceError(f"layer {layer} command {m.group(1)}: C-sim rejected the pass: {m.group(2)}")
            raise DeviceError(f"layer {layer}: C-sim rejected the command list: {msg}")
        return int(sig.value)


class SimDevice(Device):
    """Simulated engine. `fast=True`: numpy emulator; else the project's C-sim `libaccel.so`.

    `engine` overrides the engine.json the emulator is "built" from (tests use it to present a
    device of another design); `hang` names layers whose pass never completes (timeout tests).
    """

    def __init__(self, fast: bool = False, lib: str | Path | None = None,
                 engine: dict[str, Any] | None = None, hang: tuple[str, ...] = ()) -> None:
        self.fast = fast
        self.lib_path = Path(lib) if lib is not None else None
        self.engine_override = engine
        self.hang = set(hang)
        self.name = "sim (emulator)" if fast else "sim (C-sim)"
        self.regs: dict[int, int] = {}
        self.buffers: dict[int, np.ndarray] = {}
        self._next = _BASE
        self.project: Project | None = None
        self.emulator: Emulator | None = None
        self.csim: CSimLibrary | None = None
        self.passes = 0

    def open(self, project: Project) -> None:
        self.project = project
        rm = project.regmap
        if self.fast:
            self.emulator = Emulator(self.engine_override or project.engine, rm.modes)
        else:
            path = self.lib_path or find_libaccel(project)
            if path is None:
                raise DeviceError(f"sim device: no libaccel.so under {project.root} (build the C-sim first, "
                                  "or use the numpy emulator: --fast)")
            self.csim = CSimLibrary(path)
            self.name = f"sim (C-sim {path.name})"
        self.regs = {rm.control["ctrl"]: rm.control.get("ap_idle", 4)}

    def allocate(self, n_words: int, cacheable: bool = True) -> np.ndarray:
        buf = np.zeros(int(n_words), dtype=np.uint64)
        addr = self._next
        self._next += max(_ALIGN, -(-buf.nbytes // _ALIGN) * _ALIGN)
        self.buffers[addr] = buf
        return buf

    def address(self, buf: np.ndarray) -> int:
        for addr, b in self.buffers.items():
            if b is buf:
                return addr
        raise DeviceError("sim device: buffer was not allocated by this device")

    def write_reg(self, offset: int, value: int) -> None:
        self.regs[offset] = int(value) & 0xFFFFFFFF

    def read_reg(self, offset: int) -> int:
        return self.regs.get(offset, 0)

    def _reg_values(self) -> dict[str, int]:
        assert self.project is not None
        rm = self.project.regmap
        return {name: self.regs.get(rm.offsets[name], 0) for name in rm.layer_regs}

    def _pointer(self, name: str) -> int:
        assert self.project is not None
        off = self.project.regmap.offsets[name]
        return self.regs.get(off, 0) | (self.regs.get(off + 4, 0) << 32)

    def _resolve(self, name: str, layer: str) -> tuple[np.ndarray, int]:
        """The buffer a pointer register points into, and the word offset inside it."""
        addr = self._pointer(name)
        for base, buf in self.buffers.items():
            if base <= addr < base + max(buf.nbytes, 8):
                if (addr - base) % 8:
                    raise DeviceError(f"layer {layer}: {name} register 0x{addr:x} is not 64-bit aligned")
                return buf, (addr - base) // 8
        raise DeviceError(f"layer {layer}: {name} register holds 0x{addr:x}, which is no buffer of this device")

    def _weight_memory(self, layer: str) -> np.ndarray:
        buf, off = self._resolve("weights", layer)
        if off:
            raise DeviceError(f"layer {layer}: weights register points {off} words into a buffer, not at its start")
        return buf

    def _command_list(self, layer: str, n_cmds: int) -> tuple[np.ndarray, np.ndarray]:
        """Descriptor words and the activation memory of a command-list start."""
        assert self.project is not None
        words = self.project.regmap.cmd_words
        table, first = self._resolve("cmds", layer)
        if first + n_cmds * words > table.size:
            raise DeviceError(f"layer {layer}: n_cmds = {n_cmds} descriptors at word {first} run past the "
                              f"{table.size}-word buffer")
        act, off = self._resolve("act_in0", layer)
        if off or any(self._pointer(n) != self._pointer("act_in0") for n in ("act_in1", "act_out")):
            raise DeviceError(f"layer {layer}: act_in0/act_in1/act_out must all hold the activation buffer's address "
                              "(the simulated engine has one activation memory)")
        return table[first:first + n_cmds * words], act

    def run(self, layer: str, in0: np.ndarray | None, in1: np.ndarray | None, out: np.ndarray | None,
            timeout_s: float) -> None:
        if self.project is None:
            raise DeviceError("sim device: open() it with a project first")
        ctrl = self.project.regmap.control
        self.regs[ctrl["ctrl"]] = 0  # busy
        if layer in self.hang:
            time.sleep(min(timeout_s, 0.01))
            raise PassTimeout(f"layer {layer}: engine did not signal ap_done within {timeout_s:g} s (sim device, hung on request)")
        regs = self._reg_values()
        wmem = self._weight_memory(layer)
        n_cmds = self.regs.get(self.project.regmap.offsets["n_cmds"], 0) if "n_cmds" in self.project.regmap.offsets else 0
        if n_cmds:
            cmds, act = self._command_list(layer, n_cmds)
            if self.emulator is not None:
                self.emulator.run_list(cmds, n_cmds, act, wmem, self.project.regmap.cmd_fields, layer)
                sig = self.emulator.signature
            else:
                assert self.csim is not None
                sig = self.csim.run_list(cmds, n_cmds, act, wmem, layer)
        elif self.emulator is not None:
            res = self.emulator.run_pass(regs, in0, in1, wmem, layer)
            if res is not None:
                if out is None or out.size != res.size:
                    raise DeviceError(f"layer {layer}: engine produced {res.size} beats, output buffer holds "
                                      f"{0 if out is None else out.size}")
                out[:] = res
            sig = self.emulator.signature
        else:
            assert self.csim is not None
            arr = np.array([regs[n] for n in self.project.regmap.layer_regs], dtype=np.uint32)
            sig = self.csim.run_pass(arr, in0, in1, out, wmem, layer)
        self.regs[self.project.regmap.offsets["signature"]] = sig
        self.regs[ctrl["ctrl"]] = ctrl["ap_done"] | ctrl.get("ap_idle", 4)
        self.passes += 1

    def close(self) -> None:
        self.buffers.clear()
