"""`make calibrate`: refit calibration.json from the committed yosys / RTL-sim measurements.

    python -m generator.cost.calibrate [--measurements DIR] [--out FILE] [--import FILE ...]

`--import` copies measurement files (synth*.json, rtlsim*.json) into the measurements folder
first, so the files a fit came from are committed beside it. With no measurements the file is
rewritten with `calibrated: false` and the thesis start values.

Fitted: per kernel kind, LUT and FF as a*model (from `kernels` breakdowns), the top's glue as its
own kind `top` (accel_top minus its kernels), and pass cycles as a*model: one scale per kind
through the origin, the structure (fixed overheads included) being in the model. DSP and BRAM18 are structural and not fitted: a mismatch
there is a bug in the kernel's estimate module and is reported.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from generator.cost.calibration import CALIBRATION_FILE, Calibration, load_calibration
from generator.cost.compare import compare, predict_pass
from generator.cost.measured import MEASUREMENTS_DIR, Measurements, load_measurements
from generator.hw.kernels import kernel_resources, top, top_resources
from generator.table import format_table

THESIS_SOURCE = ("thesis start values (Dong 2023, ch. 13: L_M(Qw, Qa) read off Fig. 13.2, L_A(Qp) = Qp + 7, "
                 "quant unit 1 DSP per lane, eq. 13.8); structural constants estimated, not fitted to any measurement")


def linear_fit(xs: list[float], ys: list[float]) -> list[float]:
    """[a, 0] with y ~ a*x (least squares through the origin).

    The structure (fixed overheads included) is in the model; the fit only scales it, so `a`
    says how far the model is off and no intercept can hide a missing block.
    """
    x, y = np.asarray(xs, float), np.asarray(ys, float)
    den = float((x * x).sum())
    if den <= 0:
        return [1.0, 0.0]
    return [round(float((x * y).sum()) / den, 6), 0.0]


def fit(meas: Measurements, base: Calibration) -> Calibration:
    """`base` with its `fit` section refitted to `meas` (thesis structure, fitted scales)."""
    raw = dataclasses.replace(base, fit={})
    out: dict[str, dict[str, list[float]]] = defaultdict(dict)
    for figure in ("lut", "ff"):
        pairs: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
        for k in meas.kernels:
            xs, ys = pairs[k.spec.kind]
            xs.append(getattr(kernel_resources(k.spec, raw), figure))
            ys.append(getattr(k.measured, figure))
        for kind, (xs, ys) in pairs.items():
            out[figure][kind] = linear_fit(xs, ys)
        # the top's glue: accel_top minus its kernels (measured ones from the same file, else modelled)
        gx, gy = [], []
        for t in meas.totals:
            kernels = [getattr(k.measured, figure) for k in meas.kernels if k.source == t.source]
            if len(kernels) != len(t.engine.kernels):
                kernels = [getattr(kernel_resources(k, raw), figure) for k in t.engine.kernels]
            gx.append(getattr(top_resources(t.engine, raw), figure))
            gy.append(getattr(t.measured, figure) - sum(kernels))
        if gx:
            out[figure][top.KIND] = linear_fit(gx, gy)
    cyc: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for p in meas.passes:
        xs, ys = cyc[p.spec.kind]
        xs.append(predict_pass(p, raw))
        ys.append(p.cycles)
    for kind, (xs, ys) in cyc.items():
        out["cycles"][kind] = linear_fit(xs, ys)
    return dataclasses.replace(
        base, calibrated=True, fit=dict(out), fitted_from=tuple(meas.files),
        source="fitted by generator/cost/calibrate.py to the measurements in generator/cost/measurements/ "
               "(LUT, FF and cycles per kernel kind); structure from the thesis (ch. 13)",
    )


def uncalibrated(base: Calibration) -> Calibration:
    return dataclasses.replace(base, calibrated=False, fit={}, fitted_from=(), source=THESIS_SOURCE)


def write(cal: Calibration, path: Path) -> None:
    path.write_text(json.dumps(cal.to_json(), indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--measurements", type=Path, default=MEASUREMENTS_DIR)
    p.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    p.add_argument("--import", dest="imports", nargs="*", type=Path, default=[],
                   help="measurement files to copy into the measurements folder first")
    args = p.parse_args(argv)
    for f in args.imports:
        if not f.name.startswith(("synth", "rtlsim")):
            print(f"calibrate: {f}: name must start with 'synth' or 'rtlsim'", file=sys.stderr)
            return 2
        args.measurements.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, args.measurements / f.name)
    base = load_calibration(args.out)
    meas = load_measurements(args.measurements)
    if meas.empty:
        write(uncalibrated(base), args.out)
        print(f"calibrate: no measurements (synth*.json, rtlsim*.json) under {args.measurements}; "
              f"{args.out} left uncalibrated (thesis coefficients)")
        return 0
    cal = fit(meas, base)
    write(cal, args.out)
    rows = compare(meas, cal)
    print(format_table(["source", "item", "figure", "model", "measured", "error %", "ok"],
                       [[r.source, r.item, r.figure, round(r.model), r.measured, f"{100 * r.error:+.1f}",
                         "yes" if r.ok else "NO"] for r in rows]))
    bad = [r for r in rows if not r.ok]
    print(f"calibrate: fitted {len(meas.kernels)} kernel, {len(meas.totals)} engine and {len(meas.passes)} pass "
          f"measurements from {len(meas.files)} files into {args.out}; {len(bad)} outside tolerance")
    return 0


if __name__ == "__main__":
    sys.exit(main())
