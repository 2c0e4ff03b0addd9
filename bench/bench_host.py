"""Host runtime overhead per frame on the sim device (emulator) and an end-to-end fps estimate.

Host overhead = everything the ARM does per frame except waiting for the engine: input checks,
stream packing/unpacking, register programming and the ARM ops (concat/slice/shuffle/upsample/
maxpool). Measured with command lists (the default: one engine start per run of passes) and with
one start per pass, for comparison. It is measured here on the development machine's CPU (a Cortex-A53 on the boards is
several times slower; `python3 -m host run ... --repeat N` measures it there). Engine latency is
the plan's engine cycles at its clock (the project is generated from the plan's engine; the plan's
own host and ARM terms are replaced by what is measured here).
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from pathlib import Path

import numpy as np

from generator.reference import random_inputs
from generator.zoo import ZOO
from host import Accelerator, streams
from tests.host.host_nets import codenet_like, make_project

FRAMES = 20


def host_times(d: Path, frames: list, command_list: bool) -> tuple[Accelerator, dict[str, float]]:
    """Median per-frame phase times (s) over `frames` on the emulator device."""
    acc = Accelerator(d, "sim", fast=True, command_list=command_list)
    acc.run(frames[0])  # warm-up (buffer allocation)
    samples = []
    for f in frames:  # median over frames: robust to other load on the machine
        acc.reset_timings()
        acc.run(f)
        samples.append(acc.timing_per_frame())
    return acc, {k: float(np.median([t[k] for t in samples])) for k in samples[0]}


def measure(name: str, net, tmp: Path) -> dict:
    from generator.plan import plan_network

    plan = plan_network(net, "ultra96")
    d = make_project(tmp / name, net, engine=plan.engine)
    (d / "plan.json").write_text(json.dumps(plan.to_json()))
    frames = [random_inputs(net, s) for s in range(FRAMES)]
    acc_pp, per_pass = host_times(d, frames, command_list=False)
    acc_pp.close()
    acc, per = host_times(d, frames, command_list=True)
    n_lists = sum(s.engine for s in acc.segments)
    n_pass = len(acc.project.engine_steps())
    n_arm = len(acc.project.steps) - n_pass
    # stream pack/unpack throughput on the largest tensor
    big = max(acc.project.tensors.values(), key=lambda t: math.prod(t.shape))
    x = np.zeros(big.shape, streams.container_dtype(acc.project.act_bits, big.signed))
    buf = np.zeros(acc.project.beats(big.name), np.uint64)
    reps = 50
    t0 = time.perf_counter()
    for _ in range(reps):
        streams.pack(x, acc.project.act_bits, big.signed, out=buf)
    t_pack = (time.perf_counter() - t0) / reps
    t0 = time.perf_counter()
    for _ in range(reps):
        streams.unpack(buf, big.shape, acc.project.act_bits, big.signed)
    t_unpack = (time.perf_counter() - t0) / reps
    # the engine's own time from the plan (its passes' cycles); host time is what we measured
    lat_ms = sum(ly.engine_cycles for ly in plan.layers) / plan.clock_hz * 1e3
    source = f"plan: engine cycles of {plan.engine.board} at {plan.clock_mhz:g} MHz ({'calibrated' if plan.calibrated else 'uncalibrated'})"
    host_ms = per["host_overhead"] * 1e3
    acc.close()
    return {
        "network": name, "engine_passes": n_pass, "command_lists": n_lists, "arm_steps": n_arm, "frames": FRAMES,
        "statistic": "median",
        "host_overhead_ms": round(host_ms, 4),
        "host_overhead_one_start_per_pass_ms": round(per_pass["host_overhead"] * 1e3, 4),
        "register_programming_one_start_per_pass_ms": round(per_pass["regs"] * 1e3, 4),
        "arm_ops_ms": round(per["arm"] * 1e3, 4),
        "register_programming_ms": round(per["regs"] * 1e3, 4),
        "register_programming_us_per_list": round(per["regs"] * 1e6 / max(n_lists, 1), 2),
        "pack_ms": round(per["pack"] * 1e3, 4), "unpack_ms": round(per["unpack"] * 1e3, 4),
        "input_check_ms": round(per["check"] * 1e3, 4),
        "emulator_ms_per_frame": round(per["engine"] * 1e3, 3),
        "largest_tensor": {"name": big.name, "shape": list(big.shape), "beats": int(buf.size),
                           "pack_mb_per_s": round(buf.nbytes / t_pack / 1e6, 1),
                           "unpack_mb_per_s": round(buf.nbytes / t_unpack / 1e6, 1)},
        "engine_latency_ms": round(lat_ms, 4), "engine_latency_source": source,
        "fps_serial": round(1e3 / (lat_ms + host_ms), 1),
        "fps_overlapped_bound": round(1e3 / max(lat_ms, host_ms), 1),
    }


def run() -> dict:
    nets = [("tiny", ZOO["tiny"](0)), ("codenet_like_128", codenet_like(128))]
    nets.append(("codenet-a", ZOO["codenet-a"](0)) if "codenet-a" in ZOO else ("codenet_like_256", codenet_like(256)))
    with tempfile.TemporaryDirectory() as tmp:
        rows = [measure(n, net, Path(tmp)) for n, net in nets]
    summary = "; ".join(f"{r['network']}: host {r['host_overhead_ms']:.3f} ms/frame with command lists "
                        f"({r['host_overhead_one_start_per_pass_ms']:.3f} one start per pass; "
                        f"ARM ops {r['arm_ops_ms']:.3f}, regs {r['register_programming_ms']:.3f}), "
                        f"engine {r['engine_latency_ms']:.3f} ms -> {r['fps_serial']:.0f} fps" for r in rows)
    return {"networks": rows, "note": "host overhead measured on this machine's CPU with the sim device (--fast); "
            "engine latency from plan.json or the cycle estimate, see each row", "summary": summary}
