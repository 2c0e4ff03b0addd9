"""Golden-model throughput (MAC/s) on the zoo networks: the reference every backend is checked
against must itself be fast enough to check whole networks."""

from __future__ import annotations

import time

from generator.reference import random_inputs, run_golden
from generator.summary import summarize
from generator.zoo import ZOO

NETWORKS = ("tiny", "codenet-a", "hao-s")  # the 512x512 configurations take minutes each


def run() -> dict:
    rows = []
    for name in NETWORKS:
        if name not in ZOO:
            continue
        net = ZOO[name](0)
        macs = summarize(net)["totals"]["macs"]
        x = random_inputs(net, 0)
        run_golden(net, x)  # warm-up
        t0 = time.perf_counter()
        reps = 3
        for _ in range(reps):
            run_golden(net, x)
        dt = (time.perf_counter() - t0) / reps
        rows.append({"network": name, "macs": macs, "seconds": round(dt, 5), "mac_per_s": round(macs / dt)})
    summary = ", ".join(f"{r['network']} {r['mac_per_s'] / 1e6:.1f} MMAC/s" for r in rows)
    return {"networks": rows, "summary": summary}
