"""Per-lane cost of the requantisation unit (ag_quant) as a function of its operand widths.

    python -m generator.cost.quant_fit [--write] [--work DIR]

The engine sizes each kernel's ag_quant from its layers (generator/hw/quant.py: QA_W signed bits
of acc + bias, QM_W unsigned bits of mult), so the model prices a unit of any width: DSP48E2s by
yosys' tiling rule (generator.cost.arith.dsp48e2_tiles, exact), LUT and FF linear in the widths,
c0 + c_acc * QA_W + c_mult * QM_W, least squares over yosys runs of ag_quant alone (OUT_W 8) at
the GRID below. `--write` stores the runs and the coefficients in calibration.json's `quant_lane`
(the numbers stay beside the coefficients fitted from them); without it the fit is printed.
Each run takes a few seconds; this does not touch the kernel measurements.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from generator.cost.arith import dsp48e2_tiles
from generator.cost.calibration import CALIBRATION_FILE, load_calibration

OUT_W = 8
GRID = tuple((qa, qm) for qa in (12, 16, 20, 24, 27, 28, 32) for qm in (8, 15, 17, 18, 24, 31))


def key(qa: int, qm: int) -> str:
    return f"{qa}x{qm}"


def measure(grid: tuple[tuple[int, int], ...], work: Path) -> dict[str, dict[str, int]]:
    """yosys of ag_quant alone at each (QA_W, QM_W): {"QAxQM": {dsp, lut, ff}}."""
    from generator.rtl.render import render_library
    from generator.rtl.synth import run_yosys

    srcs = [p for p in render_library(work / "lib") if p.name == "ag_quant.v"]
    out = {}
    for qa, qm in grid:
        r = run_yosys(srcs, "ag_quant", {"ACC_W": 32, "OUT_W": OUT_W, "QA_W": qa, "QM_W": qm}, work / key(qa, qm))
        out[key(qa, qm)] = {"dsp": r.dsp, "lut": r.lut, "ff": r.ff}
        print(f"ag_quant QA_W={qa} QM_W={qm}: {out[key(qa, qm)]}", flush=True)
    return out


def fit(measured: dict[str, dict[str, int]]) -> dict[str, list[float]]:
    """{"lut": [c0, c_acc, c_mult], "ff": [...]}: least squares of each figure over the runs."""
    widths = [tuple(int(v) for v in k.split("x")) for k in measured]
    x = np.array([[1.0, qa, qm] for qa, qm in widths])
    coef = {}
    for fig in ("lut", "ff"):
        y = np.array([measured[k][fig] for k in measured], float)
        c, *_ = np.linalg.lstsq(x, y, rcond=None)
        coef[fig] = [round(float(v), 3) for v in c]
    return coef


def dsp_mismatches(measured: dict[str, dict[str, int]]) -> list[str]:
    """Runs whose DSP count the tiling rule does not predict (the product is QA_W x (QM_W+1))."""
    bad = []
    for k, m in measured.items():
        qa, qm = (int(v) for v in k.split("x"))
        if dsp48e2_tiles(qa, qm + 1) != m["dsp"]:
            bad.append(f"{k}: yosys {m['dsp']}, rule {dsp48e2_tiles(qa, qm + 1)}")
    return bad


def quant_lane_entry(measured: dict[str, dict[str, int]], tool: str) -> dict[str, Any]:
    return {**fit(measured), "out_w": OUT_W, "tool": tool, "measured": measured}


def main(argv: list[str] | None = None) -> int:
    from generator.cost.calibrate import write
    from generator.rtl.synth import yosys_version

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write", action="store_true", help=f"store runs and fit in {CALIBRATION_FILE.name}")
    p.add_argument("--work", type=Path, default=Path("build") / "quant_fit")
    args = p.parse_args(argv)
    measured = measure(GRID, args.work)
    entry = quant_lane_entry(measured, yosys_version())
    bad = dsp_mismatches(measured)
    print(json.dumps({k: v for k, v in entry.items() if k != "measured"}))
    if bad:
        print("quant_fit: DSP tiling rule disagrees with yosys: " + "; ".join(bad), file=sys.stderr)
        return 1
    if args.write:
        write(dataclasses.replace(load_calibration(), quant_lane=entry), CALIBRATION_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
