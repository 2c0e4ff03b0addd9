"""C-sim speed: compile time, time per network and per layer, and MAC/s, on every zoo network
(codenet-a at 256x256 is the one the HLS issue asks to C-sim in under a minute)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from generator.boards import load_board
from generator.codegen.project import write_project
from generator.hw.engine import build_engine
from generator.reference import random_inputs
from generator.summary import summarize
from generator.zoo import ZOO
from sim.run_csim import run_project

NETWORKS = ("tiny", "codenet-a")


def run() -> dict:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in NETWORKS:
            if name not in ZOO:
                continue
            net = ZOO[name](0)
            s = summarize(net)
            macs = {ly["name"]: ly["macs"] for ly in s["layers"]}
            proj = write_project(net, load_board("ultra96"), build_engine(net, "ultra96", 250), Path(tmp) / name)
            t0 = time.perf_counter()
            res = run_project(proj, random_inputs(net, 0), golden_check=False)
            wall = time.perf_counter() - t0
            sim_s = sum(res.seconds.values())
            layers = [{"layer": k, "seconds": round(v, 4), "macs": macs.get(k, 0),
                       "mac_per_s": round(macs.get(k, 0) / v) if v > 0 else 0} for k, v in res.seconds.items()]
            rows.append({"network": name, "macs": s["totals"]["macs"], "compile_s": round(res.compile_s, 2),
                         "csim_s": round(sim_s, 3), "wall_s": round(wall, 2),
                         "mac_per_s": round(s["totals"]["macs"] / sim_s), "layers": layers})
    summary = ", ".join(f"{r['network']}: {r['csim_s']:.2f} s C-sim ({r['mac_per_s'] / 1e6:.1f} MMAC/s), "
                        f"compile {r['compile_s']:.1f} s" for r in rows)
    return {"networks": rows, "summary": summary}
