"""The calibration pipeline on synthetic measurements: fit, write, reload, compare."""

from __future__ import annotations

import dataclasses
import json

from generator.cost import load_calibration
from generator.cost.calibrate import linear_fit, main
from generator.cost.compare import compare
from generator.cost.measured import load_measurements
from generator.hw.engine import build_engine
from generator.hw.kernels import Bus, kernel_resources, pass_cycles
from generator.hw.schedule import build_schedule
from generator.zoo import tiny

CAL = load_calibration()


def fake_measurements(tmp_path, lut_scale=1.3, cyc=1.2):
    """What yosys / the RTL sim would report if the truth were the model scaled."""
    net = tiny.build()
    raw = dataclasses.replace(CAL, fit={})
    docs = []
    for po in (4, 8, 16):
        engine = build_engine(net, "ultra96", 250, parallelism=dict.fromkeys(("pwconv", "dwconv", "deform", "add"), (4, po)))
        kernels = {}
        for k in engine.kernels:
            r = kernel_resources(k, raw)
            kernels[k.kind] = {"dsp": r.dsp, "lut": round(r.lut * lut_scale), "ff": round(r.ff * 0.9),
                               "bram18": r.bram18}
        docs.append(("synth", po, {"format": "accelgen-synth/1", "tool": "fake", "part": "x",
                                   "engine": engine.to_json(), "kernels": kernels}))
        sched, _ = build_schedule(net, engine)
        passes = []
        for s in sched.steps:
            if s.where == "engine":
                c = pass_cycles(engine.kernel(s.kernel), s.regs, Bus(engine.act_bits, engine.w_bits, None), raw)
                passes.append({"layer": s.layer, "kernel": s.kernel, "regs": s.regs,
                               "cycles": round(c.total * cyc)})
        docs.append(("rtlsim", po, {"format": "accelgen-rtlsim/1", "simulator": "fake", "engine": engine.to_json(),
                                    "stream_bytes_per_cycle": None, "passes": passes}))
    d = tmp_path / "measurements"
    d.mkdir()
    for what, po, doc in docs:
        (d / f"{what}_po{po}.json").write_text(json.dumps(doc))
    return d


def test_linear_fit():
    # one scale through the origin: the structure (overheads included) is the model's job
    assert linear_fit([1, 2, 3], [10, 20, 30]) == [10.0, 0.0]
    assert linear_fit([5], [10]) == [2.0, 0.0]
    assert linear_fit([0], [3]) == [1.0, 0.0]


def test_no_measurements_stays_uncalibrated(tmp_path, capsys):
    out = tmp_path / "cal.json"
    out.write_text(json.dumps(CAL.to_json()))
    (tmp_path / "m").mkdir()
    assert main(["--measurements", str(tmp_path / "m"), "--out", str(out)]) == 0
    assert "uncalibrated (thesis coefficients)" in capsys.readouterr().out
    cal = load_calibration(out)
    assert not cal.calibrated and cal.fit == {}


def test_fit_recovers_scales_and_passes_tolerances(tmp_path):
    mdir = fake_measurements(tmp_path)
    out = tmp_path / "cal.json"
    out.write_text(json.dumps(CAL.to_json()))
    assert main(["--measurements", str(mdir), "--out", str(out)]) == 0
    cal = load_calibration(out)
    assert cal.calibrated and len(cal.fitted_from) == 6
    a, b = cal.fit["cycles"]["pwconv"]
    assert abs(a - 1.2) < 1e-2 and b == 0.0
    meas = load_measurements(mdir)
    rows = compare(meas, cal)
    assert rows and all(r.ok for r in rows), [r for r in rows if not r.ok][:3]
    uncal = compare(meas, CAL)
    assert not all(r.ok for r in uncal)  # the scaled truth is outside tolerance before fitting
