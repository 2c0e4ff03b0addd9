"""`accelgen generate`: write a complete, self-contained project directory for one network.

DIR/hls/      generated top, params, fixed kernels, testbench + tb_data, run_hls.tcl
DIR/vivado/   block design + bitstream tcl for the board's part
DIR/host/     schedule.json, regmap.json, engine.json, weights.bin (the host runtime's inputs)
DIR/network/  the network itself (NAME.json + NAME.npz), for C-sim golden checks
DIR/Makefile  hls / bitstream / csim targets; DIR/report.json

The project is written into a staging directory and renamed into place only when complete.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from generator import __version__
from generator.boards import Board
from generator.codegen.env import render
from generator.codegen.hls import hls_context, write_hls
from generator.errors import AccelgenError
from generator.hw.commands import command_lists
from generator.hw.engine import EngineConfig
from generator.hw.host_files import write_host_files
from generator.hw.layout import pack_tensor
from generator.hw.regmap import LAYER_REGS
from generator.hw.schedule import Schedule, build_schedule, tensor_beats
from generator.ir.io import save_network
from generator.ir.network import Network
from generator.reference import random_inputs, run_golden

TB_BYTES_LIMIT = 8 << 20  # testbench vectors recorded for Vitis csim/cosim


def regs_array(regs: dict[str, int]) -> np.ndarray:
    """Register values in LAYER_REGS order as uint32 (negative clamps in two's complement)."""
    return np.array([regs[n] & 0xFFFFFFFF for n in LAYER_REGS], dtype=np.uint32)


def write_tb_data(dest: Path, net: Network, sched: Schedule, image: np.ndarray, seed: int = 0) -> int:
    """Record engine passes (one start each) and command lists of one golden frame as testbench
    vectors; returns how many of both were written."""
    dest.mkdir(parents=True, exist_ok=True)
    np.asarray(image, dtype="<u8").tofile(dest / "weights.bin")
    tensors = run_golden(net, random_inputs(net, seed))
    written = 0
    total = image.nbytes
    for step in sched.steps:
        if step.where != "engine":
            continue
        ins = [pack_tensor(tensors[n], sched.act_bits) for n in step.inputs]
        out = pack_tensor(tensors[step.output], sched.act_bits)
        size = sum(a.nbytes for a in ins) + out.nbytes
        if written and total + size > TB_BYTES_LIMIT:
            break
        prefix = dest / f"pass{written:03d}"
        regs_array(step.regs).astype("<u4").tofile(f"{prefix}_regs.bin")
        ins[0].astype("<u8").tofile(f"{prefix}_in0.bin")
        (ins[1] if len(ins) > 1 else np.zeros(0, np.uint64)).astype("<u8").tofile(f"{prefix}_in1.bin")
        out.astype("<u8").tofile(f"{prefix}_out.bin")
        total += size
        written += 1
    return written + write_tb_lists(dest, sched, tensors, TB_BYTES_LIMIT - total)


def write_tb_lists(dest: Path, sched: Schedule, tensors: dict[str, np.ndarray], budget: int) -> int:
    """Each command list as testbench vectors, while they fit `budget` bytes: its descriptors, the
    activation memory before (the tensors the list reads from outside it) and after (plus every
    tensor it writes). Returns lists written."""
    written = 0
    for cl, _ in command_lists(sched):
        if cl is None or 2 * 8 * sched.act_words + cl.words.nbytes > budget:
            continue
        before = np.zeros(sched.act_words, dtype=np.uint64)
        for name in cl.external_inputs:
            words = pack_tensor(tensors[name], sched.act_bits)
            before[sched.act_offsets[name]:sched.act_offsets[name] + words.size] = words
        after = before.copy()
        for name in (st.output for st in cl.steps):
            words = pack_tensor(tensors[name], sched.act_bits)
            after[sched.act_offsets[name]:sched.act_offsets[name] + words.size] = words
        prefix = dest / f"list{written:03d}"
        cl.words.astype("<u8").tofile(f"{prefix}_cmds.bin")
        before.astype("<u8").tofile(f"{prefix}_act.bin")
        after.astype("<u8").tofile(f"{prefix}_expect.bin")
        budget -= 2 * before.nbytes + cl.words.nbytes
        written += 1
    return written


def report(net: Network, board: Board, engine: EngineConfig, sched: Schedule, tb_passes: int) -> dict[str, Any]:
    engine_steps = [s for s in sched.steps if s.where == "engine"]
    return {
        "format": "accelgen-report/1",
        "accelgen": __version__,
        "network": net.name,
        "board": board.name,
        "part": board.part,
        "clock_mhz": engine.clock_mhz,
        "signature": f"{engine.signature:08x}",
        "act_bits": engine.act_bits,
        "w_bits": engine.w_bits,
        "kernels": [{"kind": k.kind, "pi": k.pi, "po": k.po, "pack": k.pack, "pack_depth": k.pack_depth}
                    for k in engine.kernels],
        "passes": len(engine_steps),
        "arm_steps": [s.layer for s in sched.steps if s.where == "arm"],
        "weight_words": sched.weight_words,
        "tb_passes": tb_passes,
        "layers": [{"name": s.layer, "op": s.op, "where": s.where, "kernel": s.kernel} for s in sched.steps],
    }


def write_project(net: Network, board: Board, engine: EngineConfig, out: Path, plan: Any | None = None) -> Path:
    """Generate the project into `out` (replacing a previous accelgen project there).

    With a `plan` (generator.plan.Plan) the project also gets DIR/plan.json and DIR/report.html and
    report.json carries the predicted latency and fps.
    """
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / "report.json").exists():
        raise AccelgenError(f"--out {out}: directory exists and is not an accelgen project; choose an empty or new one")
    sched, image = build_schedule(net, engine)
    passes = [s for s in sched.steps if s.where == "engine"]
    beats = [tensor_beats(sched.tensors[t], engine.act_bits) for s in passes for t in (*s.inputs, s.output)]
    ctx = hls_context(engine, board, sched.weight_words, sched.act_words, len(passes), max(beats, default=1))
    ctx["board"] = {"name": board.name, "board_part": board.vivado.board_part, "ps_ip": board.vivado.ps_ip,
                    "hp_port": board.vivado.hp_port}
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        write_hls(stage / "hls", ctx)
        tb_passes = write_tb_data(stage / "hls" / "tb_data", net, sched, image)
        (stage / "vivado").mkdir()
        for name in ("create_bd.tcl", "build_bitstream.tcl"):
            (stage / "vivado" / name).write_text(render(f"vivado/{name}.j2", **ctx))
        write_host_files(stage / "host", engine, sched, image)
        save_network(net, stage / "network" / f"{net.name}.json")
        (stage / "Makefile").write_text(render("project/Makefile.j2", **ctx))
        rep = report(net, board, engine, sched, tb_passes)
        if plan is not None:
            from generator.plan.report import html_report

            (stage / "plan.json").write_text(json.dumps(plan.to_json(), indent=2) + "\n")
            (stage / "report.html").write_text(html_report(plan))
            rep["sized_by"] = "plan"
            rep["predicted"] = {"latency_ms": plan.to_json()["latency_ms"], "fps": plan.to_json()["fps"],
                                "calibrated": plan.calibrated}
        else:
            rep["sized_by"] = "flags"
        (stage / "report.json").write_text(json.dumps(rep, indent=2) + "\n")
        if out.exists():
            shutil.rmtree(out)
        stage.rename(out)
    finally:
        if stage.exists():
            shutil.rmtree(stage)
    return out
