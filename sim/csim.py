"""C-sim of a generated project: build the HLS top + bridge with g++, run passes via ctypes.

The shared library is cached by a hash of every source and flag that goes into it, so a
re-run of an unchanged project costs nothing. ap_int.h comes from the installed hls4ml
package (never copied); hls_stream.h is accelgen's own depth-enforcing shim (sim/include).
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from generator.errors import ToolError

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SHIM_DIR = HERE / "include"
BRIDGE = HERE / "csim_bridge.cpp"
# Hidden visibility and no STB_GNU_UNIQUE: every project's library keeps its own statics (line
# buffers, weight buffers) even when several libraries with the same kernel names share a process.
CXXFLAGS = ["-O2", "-std=c++14", "-shared", "-fPIC", "-pthread", "-Wno-unknown-pragmas", "-fvisibility=hidden",
            "-fvisibility-inlines-hidden", "-fno-gnu-unique"]


class CsimError(ToolError):
    """The C-sim reported an error: deadlock, FIFO over depth, bad register, stream length."""


def ap_types_dir() -> Path:
    """hls4ml's copy of Xilinx's ap_types headers, used in place from the installed package."""
    spec = importlib.util.find_spec("hls4ml")
    if spec is None or not spec.submodule_search_locations:
        raise ToolError("C-sim needs Xilinx's ap_int.h from the hls4ml package: pip install hls4ml")
    path = Path(list(spec.submodule_search_locations)[0]) / "templates" / "vivado" / "ap_types"
    if not (path / "ap_int.h").exists():
        raise ToolError(f"hls4ml is installed but {path}/ap_int.h is missing; reinstall hls4ml")
    return path


def compiler() -> str:
    cxx = os.environ.get("CXX") or shutil.which("g++")
    if not cxx:
        raise ToolError("C-sim needs g++ on PATH (apt-get install g++)")
    return cxx


def sources(project: Path) -> list[Path]:
    hls = project / "hls"
    if not (hls / "accel_top.cpp").exists():
        raise ToolError(f"{project}: not a generated project (no hls/accel_top.cpp); run accelgen generate first")
    return sorted(hls.glob("*.h")) + [hls / "accel_top.cpp", BRIDGE] + sorted(SHIM_DIR.glob("*.h"))


def build(project: Path) -> Path:
    """Compile (or reuse) the project's C-sim library; returns its path."""
    project = Path(project)
    cxx = compiler()
    inc = ap_types_dir()
    flags = CXXFLAGS + ["-I", str(SHIM_DIR), "-I", str(project / "hls"), "-isystem", str(inc)]
    h = hashlib.sha256(" ".join([cxx] + CXXFLAGS).encode())
    for src in sources(project):
        h.update(src.name.encode())
        h.update(src.read_bytes())
    key = h.hexdigest()[:16]
    out_dir = project / "csim"
    lib = out_dir / f"libaccel-{key}.so"
    if lib.exists():
        return lib
    out_dir.mkdir(exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=out_dir)
    os.close(fd)
    cmd = [cxx, *flags, str(BRIDGE), str(project / "hls" / "accel_top.cpp"), "-o", tmp]
    log.info("compiling C-sim: %s", " ".join(cmd))
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        os.unlink(tmp)
        first = next((ln for ln in r.stderr.splitlines() if "error" in ln), r.stderr.strip()[:300])
        raise ToolError(f"C-sim compile failed: {first}")
    os.replace(tmp, lib)
    for old in out_dir.glob("libaccel-*.so"):
        if old != lib:
            old.unlink()
    link = out_dir / "libaccel.so"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(lib.name)
    return lib


_u64p = np.ctypeslib.ndpointer(dtype=np.uint64, flags="C_CONTIGUOUS")
_u32p = np.ctypeslib.ndpointer(dtype=np.uint32, flags="C_CONTIGUOUS")


class CsimLibrary:
    """One loaded C-sim library: `run_pass` is one engine pass, as the host drives the FPGA."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lib = ctypes.CDLL(str(self.path))
        f = self._lib.accelgen_run_pass
        f.restype = ctypes.c_int
        f.argtypes = [_u32p, _u64p, ctypes.c_uint64, _u64p, ctypes.c_uint64, _u64p, ctypes.c_uint64,
                      _u64p, ctypes.c_uint64, ctypes.POINTER(ctypes.c_uint32)]
        g = self._lib.accelgen_run_list
        g.restype = ctypes.c_int
        g.argtypes = [_u64p, ctypes.c_uint32, _u64p, ctypes.c_uint64, _u64p, ctypes.c_uint64,
                      ctypes.POINTER(ctypes.c_uint32)]
        self._lib.accelgen_last_error.restype = ctypes.c_char_p

    def run_pass(self, regs: np.ndarray, in0: np.ndarray, in1: np.ndarray, n_out: int,
                 wmem: np.ndarray) -> tuple[np.ndarray, int]:
        regs = np.ascontiguousarray(regs, dtype=np.uint32)
        n_in0, n_in1, n_w = int(np.size(in0)), int(np.size(in1)), int(np.size(wmem))
        # ctypes needs a real buffer even for an empty stream: pass one dummy word, length 0
        in0 = np.ascontiguousarray(in0 if n_in0 else np.zeros(1), dtype=np.uint64)
        in1 = np.ascontiguousarray(in1 if n_in1 else np.zeros(1), dtype=np.uint64)
        wmem = np.ascontiguousarray(wmem if n_w else np.zeros(1), dtype=np.uint64)
        out = np.zeros(max(n_out, 1), dtype=np.uint64)
        sig = ctypes.c_uint32(0)
        rc = self._lib.accelgen_run_pass(regs, in0, n_in0, in1, n_in1, out, n_out, wmem, n_w, ctypes.byref(sig))
        if rc != 0:
            raise CsimError(f"C-sim: {self._lib.accelgen_last_error().decode()}")
        return out[:n_out], sig.value

    def run_list(self, cmds: np.ndarray, n_cmds: int, act: np.ndarray, wmem: np.ndarray) -> int:
        """Run `n_cmds` descriptors of a command list in place on the activation memory `act`."""
        if act.dtype != np.uint64 or not act.flags.c_contiguous:
            raise ValueError("activation memory must be a contiguous uint64 array (written in place)")
        cmds = np.ascontiguousarray(cmds, dtype=np.uint64)
        n_w = int(np.size(wmem))
        wmem = np.ascontiguousarray(wmem if n_w else np.zeros(1), dtype=np.uint64)
        sig = ctypes.c_uint32(0)
        rc = self._lib.accelgen_run_list(cmds, n_cmds, act, act.size, wmem, n_w, ctypes.byref(sig))
        if rc != 0:
            raise CsimError(f"C-sim: {self._lib.accelgen_last_error().decode()}")
        return sig.value


def load_library(project: Path) -> CsimLibrary:
    return CsimLibrary(build(project))
