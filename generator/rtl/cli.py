"""`accelgen rtlsim` and `accelgen synth`: the RTL backend's commands (registered by cli.py)."""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from generator.errors import AccelgenError, NetworkError
from generator.fileio import read_npz, write_json, write_npz
from generator.hw.engine import EngineConfig, build_engine
from generator.ir.network import Network
from generator.ir.validate import topo_order
from generator.reference import random_inputs, run_golden
from generator.rtl import emit
from generator.rtl.cycles import ideal_cycles
from generator.table import format_table

log = logging.getLogger(__name__)

DEFAULT_BOARD = "ultra96"
RTLSIM_FORMAT = "accelgen-rtlsim/1"


class MismatchError(AccelgenError):
    """RTL output differs from the golden model."""


def _engine_json(project: Path) -> Path | None:
    for p in (project / "host" / "engine.json", project / "rtl" / "engine.json"):
        if p.exists():
            return p
    return None


def project_setup(args: argparse.Namespace) -> tuple[Network, EngineConfig, Path]:
    """The network, the engine and the RTL folder of a project directory (emitting the RTL from
    --net when the project has none yet)."""
    from generator.zoo import resolve
    from sim.tb.job import engine_from_json

    project = Path(args.dir)
    net_arg = args.net
    if net_arg is None:
        report = project / "report.json"  # a project from accelgen generate keeps its network in network/
        named = [project / "network" / f"{json.loads(report.read_text())['network']}.json"] if report.exists() else []
        for cand in (*named, project / "network.json", project / "host" / "network.json"):
            if cand.exists():
                net_arg = str(cand)
                break
    if net_arg is None:
        raise NetworkError(f"project {project}: no network (pass --net NET: a zoo name or network JSON)")
    net = resolve(net_arg, args.seed)
    ej = _engine_json(project)
    if ej is not None:
        engine = engine_from_json(json.loads(ej.read_text()))
    else:
        engine = build_engine(net, args.board, args.clock)
    rtl_dir = Path(args.rtl_dir) if getattr(args, "rtl_dir", None) else project / "rtl"
    if not (rtl_dir / "accel_top.v").exists() and not getattr(args, "rtl_dir", None):
        emit(project, net, engine)
        write_json(rtl_dir / "engine.json", engine.to_json())
        log.info("wrote RTL for %s into %s", net.name, rtl_dir)
    if not rtl_dir.is_dir():
        raise AccelgenError(f"RTL folder {rtl_dir} does not exist")
    return net, engine, rtl_dir


def first_mismatch(net: Network, got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> str | None:
    """The first materialised tensor that differs (views folded into a pass's reader exist only
    as streams; every network output must exist)."""
    for out in net.outputs:
        if out not in got:
            return f"layer {out}: network output not computed by the RTL run"
    for layer in topo_order(net):
        if layer.name not in got:
            continue
        a, b = np.asarray(got[layer.name]), want[layer.name]
        if a.shape != b.shape:
            return f"layer {layer.name}: RTL shape {list(a.shape)}, golden {list(b.shape)}"
        diff = np.argwhere(a != b)
        if len(diff):
            idx = tuple(int(i) for i in diff[0])
            return (f"layer {layer.name}: {len(diff)} of {a.size} values differ from golden, first at "
                    f"(h, w, c) = {idx}: rtl {int(a[idx])}, golden {int(b[idx])}")
    return None


def rtlsim_report(engine: EngineConfig, passes: list[dict[str, Any]], simulator: str,
                  lists: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """rtlsim.json. One pass per start: a pass's cycles run from ap_start to ap_done. Command lists
    (`lists` given): from its descriptor's fetch to its last write response, and each list's from
    ap_start to ap_done; `list_overhead` sets the measured fixed costs of a list's pass beside the
    model's (generator.plan.model.list_pass_cycles at the testbench RAM's latencies)."""
    rows = []
    for p in passes:
        ideal = ideal_cycles(p["kernel"], p["regs"], engine.kernel(p["kernel"]), engine.act_bits)
        rows.append({**p, "ideal_cycles": ideal, "ratio": round(p["cycles"] / ideal, 4)})
    doc: dict[str, Any] = {"format": RTLSIM_FORMAT, "simulator": simulator, "engine": engine.to_json(),
                           "mode": "list" if lists is not None else "pass",
                           "stream_bytes_per_cycle": None, "passes": rows,
                           "total_cycles": sum(p["cycles"] for p in passes),
                           "total_ideal_cycles": sum(r["ideal_cycles"] for r in rows)}
    if lists is not None:
        doc["lists"] = lists
        doc["total_cycles"] = sum(x["cycles"] for x in lists)
        doc["list_overhead"] = list_overhead(rows)
    return doc


def list_overhead(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Measured fixed costs of a list's passes (cycles, on the testbench's AXI RAM) beside the model's."""
    from generator.plan.model import CMD_FETCH_CYCLES

    fetch = [r["fetch_to_read"] for r in rows]
    drain = [r["write_drain"] for r in rows]
    return {"fetch_to_first_read": {"min": min(fetch), "max": max(fetch)},
            "last_write_to_response": {"min": min(drain), "max": max(drain)},
            "model_list_pass_cycles_on_ddr": CMD_FETCH_CYCLES}


def cmd_rtlsim(args: argparse.Namespace) -> int:
    from generator.rtl.sim import run_frames
    from sim import runner

    why = runner.missing(args.simulator)
    if why:
        raise AccelgenError(f"rtlsim: {why}")
    net, engine, rtl_dir = project_setup(args)
    if args.inputs:
        inputs = read_npz(args.inputs)
    else:
        inputs = random_inputs(net, args.seed)
    project = Path(args.dir)
    mode = "pass" if args.per_pass else "list"
    run = run_frames(engine, net, inputs, args.simulator, rtl_dir=rtl_dir, work_dir=project / "rtlsim_work",
                     mode=mode)
    tensors, passes = run.frames[-1], run.passes[-1]
    want = run_golden(net, inputs)
    bad = first_mismatch(net, tensors, want)
    report = rtlsim_report(engine, passes, args.simulator, run.lists[-1] if run.lists else None)
    report["bit_exact"] = bad is None
    write_json(project / "rtlsim.json", report)
    if args.outputs:
        write_npz(args.outputs, {k: tensors[k] for k in net.outputs})
    rows = [[p["layer"], p["kernel"], p["cycles"], p["ideal_cycles"], f"{p['ratio']:.2f}"] for p in report["passes"]]
    print(format_table(["layer", "kernel", "cycles", "ideal", "ratio"], rows))
    if run.lists:
        print(format_table(["list", "passes", "cycles"], [[f"{x['first']}..{x['last']}", x["passes"], x["cycles"]]
                                                          for x in run.lists[-1]]))
    how = "one start per pass" if args.per_pass else "command lists"
    print(f"total {report['total_cycles']} cycles ({args.simulator}, {how}); wrote {project / 'rtlsim.json'}")
    if bad:
        raise MismatchError(f"rtlsim: {bad}")
    print(f"{net.name}: RTL bit-exact with the golden model")
    return 0


def vivado_utilization(report: Path) -> dict[str, int]:
    """LUT, FF, BRAM18, DSP from a Vivado report_utilization file."""
    text = report.read_text()

    def used(label: str) -> float:
        for line in text.splitlines():
            cells = [c.strip() for c in line.split("|")]
            if len(cells) > 2 and cells[1] == label:
                return float(cells[2])
        return 0.0

    return {"lut": int(used("CLB LUTs")), "ff": int(used("CLB Registers")),
            "bram18": int(round(2 * used("Block RAM Tile"))), "dsp": int(used("DSPs"))}


def cmd_synth(args: argparse.Namespace) -> int:
    from generator.rtl.synth import synth_engine

    net, engine, rtl_dir = project_setup(args)
    project = Path(args.dir)
    if shutil.which("yosys") is None and shutil.which("vivado") is None:
        raise AccelgenError("synth: neither yosys nor vivado found (apt-get install yosys)")
    doc = synth_engine(engine, project, rtl_dir, kernels_only=args.kernels_only)
    tcl = project / "synth_work" / "vivado_synth.tcl"
    if shutil.which("vivado"):
        log.info("vivado: %s", tcl)
        subprocess.run(["vivado", "-mode", "batch", "-nojournal", "-source", str(tcl)], cwd=tcl.parent, check=True)
        doc["vivado"] = vivado_utilization(tcl.parent / "utilization.rpt")
    else:
        print(f"note: vivado not on PATH; yosys numbers only (Vivado flow: vivado -mode batch -source {tcl})")
    write_json(project / "synth.json", doc)
    rows = [[k, r["lut"], r["ff"], r["bram18"], r["dsp"]] for k, r in doc["kernels"].items()]
    if "total" in doc:  # absent with --kernels-only: a sum of kernels is not the engine
        rows.append(["total", *(doc["total"][x] for x in ("lut", "ff", "bram18", "dsp"))])
    print(format_table(["kernel", "LUT", "FF", "BRAM18", "DSP"], rows))
    print(f"wrote {project / 'synth.json'}")
    return 0


def _project_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", metavar="DIR", help="project directory (its rtl/ is emitted from --net when missing)")
    p.add_argument("--net", help="network (zoo name or JSON) when DIR has none")
    p.add_argument("--seed", type=int, default=0, help="seed for zoo weights and random inputs (default 0)")
    p.add_argument("--board", default=DEFAULT_BOARD, help=f"board for a new engine (default {DEFAULT_BOARD})")
    p.add_argument("--clock", type=float, default=200.0, help="clock in MHz for a new engine (default 200)")
    p.add_argument("--rtl-dir", help="simulate this RTL instead of DIR/rtl (e.g. what Vitis HLS exported)")


def add_commands(sub: Any) -> None:
    """Register `rtlsim` and `synth` on the accelgen subparsers."""
    sp = sub.add_parser("rtlsim", help="run the network's schedule through the RTL, bit-exact vs golden",
                        description="run the network's schedule through the RTL, bit-exact vs golden")
    _project_args(sp)
    sp.add_argument("--inputs", help="NPZ with one array per network input (default: seeded random)")
    sp.add_argument("--outputs", help="NPZ to write the network outputs to")
    sp.add_argument("--simulator", choices=("verilator", "icarus"), default="verilator")
    sp.add_argument("--per-pass", action="store_true",
                    help="one engine start per pass with streamed I/O (default: command lists, as the host runs)")
    sp.set_defaults(fn=cmd_rtlsim)
    sp = sub.add_parser("synth", help="yosys (or Vivado) resources per kernel and for the engine top",
                        description="yosys synth_xilinx -family xcup per kernel and for the top -> DIR/synth.json")
    _project_args(sp)
    sp.add_argument("--kernels-only", action="store_true", help="skip the (slow) whole-top synthesis")
    sp.set_defaults(fn=cmd_synth)
