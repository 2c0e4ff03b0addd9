"""Resource/latency model and planner: model vs measurement, ILP vs FINN-style greedy, solve time.

- model vs measurement (generator/cost/measurements/): printed when measurement files exist;
- ILP vs greedy folding: predicted latency ratio greedy / ILP on every zoo network and the
  CoDeNet-like detector, on ultra96 and zcu104;
- solve time of a 60-layer network (CP-SAT on 2 workers, and the whole plan);
- CoDeNet-like on ultra96 / zcu104: predicted fps as built and with each unimplemented lever.
"""

from __future__ import annotations

import statistics
import time

from bench.nets import chain, codenet_like
from generator.cost import load_calibration
from generator.cost.compare import compare
from generator.cost.measured import load_measurements
from generator.errors import AccelgenError
from generator.plan import plan_network, whatif
from generator.table import format_table
from generator.zoo import ZOO

BOARDS = ("ultra96", "zcu104")


def model_vs_measurement() -> dict:
    meas = load_measurements()
    if meas.empty:
        return {"rows": [], "note": "no measurements committed: model uncalibrated (thesis coefficients)"}
    rows = compare(meas, load_calibration())
    print(format_table(["source", "item", "figure", "model", "measured", "error %", "ok"],
                       [[r.source, r.item, r.figure, round(r.model), r.measured, f"{100 * r.error:+.1f}",
                         "yes" if r.ok else "NO"] for r in rows]))
    return {"rows": [{"source": r.source, "item": r.item, "figure": r.figure, "model": r.model,
                      "measured": r.measured, "error": r.error, "ok": r.ok} for r in rows],
            "outside_tolerance": sum(not r.ok for r in rows)}


def ilp_vs_greedy(nets: dict) -> list[dict]:
    rows = []
    for name, net in nets.items():
        for board in BOARDS:
            try:
                best = plan_network(net, board)
            except AccelgenError as e:
                rows.append({"network": name, "board": board, "error": str(e)})
                continue
            try:
                base = plan_network(net, board, solver="greedy")
                ratio = base.latency_s / best.latency_s
                engine = sum(ly.engine_cycles for ly in base.layers) / sum(ly.engine_cycles for ly in best.layers)
            except AccelgenError:
                base, ratio, engine = None, None, None
            rows.append({"network": name, "board": board, "ilp_fps": round(best.fps, 2),
                         "greedy_fps": round(base.fps, 2) if base else None,
                         "ratio": round(ratio, 4) if ratio else None,
                         "engine_cycle_ratio": round(engine, 4) if engine else None,
                         "optimal": best.optimal})
    return rows


def solve_time(n: int = 60, reps: int = 5) -> dict:
    net = chain(n)
    solves, totals = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        p = plan_network(net, "ultra96")
        totals.append(time.perf_counter() - t0)
        solves.append(p.solve_s)
    return {"layers": len(net.layers), "solve_s": round(statistics.median(solves), 4),
            "plan_s": round(statistics.median(totals), 4), "optimal": p.optimal}


def codenet_figures(net) -> list[dict]:
    out = []
    for board in BOARDS:
        p = plan_network(net, board)
        out.append({"board": board, "clock_mhz": p.clock_mhz, "fps": round(p.fps, 2), "dsp": p.totals.dsp,
                    "bram18": p.totals.bram18, "lut": p.totals.lut, "efficiency": round(p.efficiency, 4),
                    "parallelism": p.parallelism(), "packing": p.packing(),
                    "whatif_fps": {k: round(v, 2) for k, v in whatif(net, board).items()},
                    "calibrated": p.calibrated})
    return out


# the 512x512 configurations (codenet-c/d/e) take minutes each to export; plan them with
# `accelgen plan codenet-d --board zcu104 --out DIR`
BENCH_ZOO = ("tiny", "codenet-a", "codenet-b", "codenet-demo", "hao-s", "hao-m", "hao-l")


def run() -> dict:
    mvm = model_vs_measurement()
    nets = {name: ZOO[name](0) for name in BENCH_ZOO if name in ZOO}
    codenet = nets.get("codenet-a") or codenet_like()
    name = "codenet-a" if "codenet-a" in nets else "codenet-like"
    nets.setdefault("codenet-like", codenet_like())
    nets.setdefault("chain60", chain(60))
    ratios = ilp_vs_greedy(nets)
    print(format_table(["network", "board", "ILP fps", "greedy fps", "greedy/ILP latency", "engine cycles ratio"],
                       [[r["network"], r["board"], r.get("ilp_fps", "-"), r.get("greedy_fps") or "-",
                         r.get("ratio") or "-", r.get("engine_cycle_ratio") or "-"] for r in ratios]))
    st = solve_time()
    cn = codenet_figures(codenet)
    for c in cn:
        print(f"{name} on {c['board']}: {c['fps']} fps as built, DSP {c['dsp']}, BRAM18 {c['bram18']}; "
              f"what-if {c['whatif_fps']}")
    valid = [r["ratio"] for r in ratios if r.get("ratio")]
    engine = [r["engine_cycle_ratio"] for r in ratios if r.get("engine_cycle_ratio")]
    cal = "calibrated" if load_calibration().calibrated else "uncalibrated"
    u96 = cn[0]
    summary = (f"{cal}; {name} ultra96 {u96['fps']} fps as built ({max(u96['whatif_fps'].values())} with the unbuilt levers), "
               f"DSP {u96['dsp']}, BRAM18 {u96['bram18']}; greedy/ILP latency geo-mean "
               f"{statistics.geometric_mean(valid):.3f} (max {max(valid):.3f}; engine cycles geo-mean "
               f"{statistics.geometric_mean(engine):.3f}, max {max(engine):.3f}); 60-layer solve {st['solve_s']} s "
               f"(plan {st['plan_s']} s); model-vs-measurement rows: {len(mvm['rows'])}")
    return {"model_vs_measurement": mvm, "ilp_vs_greedy": ratios, "solve_time": st, "network": name, "codenet": cn,
            "summary": summary}
