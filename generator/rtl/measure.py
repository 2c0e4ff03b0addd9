"""Measurements the resource / latency model is calibrated on (generator/cost/measurements/).

    python -m generator.rtl.measure [--out DIR] [--simulator verilator] [--no-synth] [--no-sim]

For a few kernel configurations (PI/PO, weight bits, packing) builds a one-layer network, runs
yosys on the kernel (synth_<name>.json, `accelgen-synth/1`) and simulates the pass
(rtlsim_<name>.json, `accelgen-rtlsim/1`), then the same for the tiny network's whole engine.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from generator.fileio import write_json
from generator.hw.engine import build_engine
from generator.reference import random_inputs
from generator.rtl.cli import rtlsim_report
from generator.rtl.sim import run_network
from generator.rtl.synth import synth_engine
from generator.zoo import ZOO

log = logging.getLogger(__name__)
OUT = Path(__file__).resolve().parents[1] / "cost" / "measurements"

CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "pwconv_8x8_w4_packed": ("pwconv", dict(h=16, w=16, c=64, k_out=64, pi=8, po=8, w_bits=4, pack=True)),
    "pwconv_8x8_w4_unpacked": ("pwconv", dict(h=16, w=16, c=64, k_out=64, pi=8, po=8, w_bits=4, pack=False)),
    "pwconv_8x8_w8_packed": ("pwconv", dict(h=16, w=16, c=64, k_out=64, pi=8, po=8, w_bits=8, pack=True)),
    "pwconv_4x16_w4_packed": ("pwconv", dict(h=16, w=16, c=64, k_out=64, pi=4, po=16, w_bits=4, pack=True)),
    "conv3x3_4x8_w8": ("conv", dict(h=32, w=32, c=3, k_out=16, kernel=3, stride=2, pad=1, pi=4, po=8, w_bits=8)),
    "dwconv3x3_po8": ("dwconv", dict(h=32, w=32, c=32, kernel=3, stride=1, pad=1, po=8)),
    "dwconv3x3_po16": ("dwconv", dict(h=32, w=32, c=32, kernel=3, stride=1, pad=1, po=16)),
    "deform_n3_po8": ("deform", dict(h=32, w=32, c=32, n=3, po=8)),
    "add_c32": ("add", dict(h=32, w=32, c=32)),
}


def measure(out: Path, simulator: str, do_synth: bool, do_sim: bool, names: list[str]) -> None:
    from sim.tb.kernels import BUILDERS, engine_for

    out.mkdir(parents=True, exist_ok=True)
    work = Path("build") / "measure"
    for name in names:
        t0 = time.perf_counter()
        shutil.rmtree(work / name, ignore_errors=True)  # never synthesize RTL rendered by an older run
        if name == "tiny":
            net = ZOO["tiny"](0)
            engine = build_engine(net, "ultra96", 200.0)
        else:
            kind, cfg = CONFIGS[name]
            net = BUILDERS[kind](cfg, 0)
            engine = engine_for(net, kind, cfg)
        if do_synth:
            log.info("synth %s", name)
            doc = synth_engine(engine, work / name, kernels_only=name != "tiny")
            write_json(out / f"synth_{name}.json", doc)
        if do_sim:
            log.info("rtlsim %s", name)
            _, passes = run_network(engine, net, random_inputs(net, 1), simulator, work_dir=work / name / "sim")
            write_json(out / f"rtlsim_{name}.json", rtlsim_report(engine, passes, simulator))
        log.info("%s: %.0f s", name, time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--simulator", default="verilator")
    p.add_argument("--no-synth", action="store_true")
    p.add_argument("--no-sim", action="store_true")
    p.add_argument("names", nargs="*", help=f"configurations (default all): {', '.join([*CONFIGS, 'tiny'])}")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    measure(args.out, args.simulator, not args.no_synth, not args.no_sim, args.names or [*CONFIGS, "tiny"])
    print(json.dumps(sorted(x.name for x in args.out.glob("*.json"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
