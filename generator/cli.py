"""`accelgen` command line: one subcommand per stage, each reading the previous stage's files.

User errors (AccelgenError) print one line on stderr and exit 2 with nothing written.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from generator import __version__
from generator.boards import board_names, load_board
from generator.errors import AccelgenError, NetworkError
from generator.fileio import read_npz, write_npz
from generator.frontend import cli as frontend_cli
from generator.ir.io import save_network
from generator.ir.network import Network
from generator.plan.cli import add_plan_command
from generator.reference import random_inputs, run_golden
from generator.summary import human, summarize
from generator.table import format_table
from generator.zoo import ZOO, resolve
from host.errors import HostError

log = logging.getLogger("accelgen")


def add_net(p: argparse.ArgumentParser) -> None:
    p.add_argument("net", metavar="NET", help=f"network JSON path or zoo name ({', '.join(sorted(ZOO))})")
    p.add_argument("--seed", type=int, default=0, help="seed for zoo weights and random inputs (default 0)")
    p.add_argument("--checkpoint", help="trained weights for a torch zoo network (accelgen train)")


def load_inputs(net: Network, path: str | None, seed: int) -> dict[str, np.ndarray]:
    if path is None:
        return random_inputs(net, seed)
    try:
        return read_npz(path)
    except FileNotFoundError:
        raise NetworkError(f"inputs file {path} not found") from None
    except (OSError, ValueError) as e:
        raise NetworkError(f"inputs file {path} is not a readable NPZ ({e})") from None


# ---- commands ---------------------------------------------------------------------------------
def cmd_validate(args: argparse.Namespace) -> int:
    net = resolve(args.net, args.seed, args.checkpoint)
    print(f"{net.name}: valid ({len(net.layers)} layers, {len(net.inputs)} inputs, {len(net.outputs)} outputs)")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    s = summarize(resolve(args.net, args.seed, args.checkpoint))
    if args.json:
        print(json.dumps(s, indent=2))
        return 0
    rows = [
        [ly["name"], ly["op"], "x".join(map(str, ly["shape"])),
         f"{'s' if ly['signed'] else 'u'}{ly['bits']}", ly["macs"],
         "-" if ly["weight_bits"] is None else ly["weight_bits"], ly["params"]]
        for ly in s["layers"]
    ]
    print(format_table(["layer", "op", "shape", "type", "MACs", "w_bits", "params"], rows))
    t = s["totals"]
    print(f"\n{s['name']}: {human(t['macs'])}MAC, {t['params']} params, "
          f"{t['weight_bytes'] / 1e6:.3f} MB of weights")
    return 0


def cmd_golden(args: argparse.Namespace) -> int:
    net = resolve(args.net, args.seed, args.checkpoint)
    tensors = run_golden(net, load_inputs(net, args.inputs, args.seed))
    keep = [ly.name for ly in net.layers] if args.all else list(net.outputs)
    write_npz(args.outputs, {k: tensors[k] for k in keep})
    print(f"wrote {len(keep)} tensors to {args.outputs}")
    return 0


def cmd_inputs(args: argparse.Namespace) -> int:
    net = resolve(args.net, args.seed, args.checkpoint)
    write_npz(args.out, random_inputs(net, args.seed))
    print(f"wrote random inputs ({', '.join(i.name for i in net.inputs)}) to {args.out}")
    return 0


def cmd_zoo(args: argparse.Namespace) -> int:
    if args.name is None:
        for name in sorted(ZOO):
            print(name)
        return 0
    if args.name not in ZOO:
        raise NetworkError(f"zoo: unknown name '{args.name}' (zoo: {', '.join(sorted(ZOO))})")
    path = save_network(ZOO[args.name](args.seed), Path(args.out) / f"{args.name}.json")
    print(f"wrote {path} and {path.with_suffix('.npz')}")
    return 0


def cmd_boards(args: argparse.Namespace) -> int:
    boards = [load_board(n) for n in board_names()]
    if args.json:
        from dataclasses import asdict

        print(json.dumps([asdict(b) for b in boards], indent=2))
        return 0
    rows = [[b.name, b.part, b.resources.lut, b.resources.ff, b.resources.bram18, b.resources.uram,
             b.resources.dsp, f"{b.clock_mhz:g}", f"{b.ddr.peak_gbps:.2f}"] for b in boards]
    print(format_table(["board", "part", "LUT", "FF", "BRAM18", "URAM", "DSP", "MHz", "DDR GB/s"], rows))
    return 0


def parse_parallelism(args: argparse.Namespace) -> dict[str, tuple[int, int]]:
    from generator.hw.engine import DEFAULT_PARALLELISM, KINDS

    par: dict[str, tuple[int, int]] = {}
    if args.pi or args.po:
        for kind, (pi, po) in DEFAULT_PARALLELISM.items():
            par[kind] = (args.pi or pi, args.po or po)
    for item in args.par or []:
        kind, _, value = item.partition("=")
        pi_s, _, po_s = value.partition("x")
        if kind not in KINDS or not pi_s.isdigit() or not po_s.isdigit():
            raise AccelgenError(f"--par {item!r}: expected KIND=PIxPO with KIND in {', '.join(KINDS)}, e.g. pwconv=8x16")
        par[kind] = (int(pi_s), int(po_s))
    return par


def cmd_generate(args: argparse.Namespace) -> int:
    from generator.boards import load_board
    from generator.codegen.project import write_project
    from generator.hw.engine import build_engine

    net = resolve(args.net, args.seed)
    board = load_board(args.board)
    clock = args.clock or board.clock_mhz
    manual = parse_parallelism(args)
    pack = {k: False for k in args.no_pack or []}
    plan = None
    if manual or pack:
        engine = build_engine(net, board.name, clock, manual, pack)
        how = "sized by flags"
    else:
        from generator.plan import plan_network

        plan = plan_network(net, board, clock, args.budget, args.lut_fraction)
        engine = build_engine(net, board.name, clock, plan.parallelism(), plan.packing())
        how = f"sized by the plan: {plan.fps:.1f} fps predicted" + ("" if plan.calibrated else " (uncalibrated)")
    out = write_project(net, board, engine, Path(args.out), plan)
    kernels = ", ".join(f"{k.kind} {k.pi}x{k.po}{' packed' if k.pack else ''}" for k in engine.kernels)
    print(f"wrote {out}/ for {net.name} on {board.name} @ {clock:g} MHz: {kernels}; {how}; "
          f"signature {engine.signature:08x}")
    return 0


def cmd_csim(args: argparse.Namespace) -> int:
    from sim.project import open_project
    from sim.run_csim import run_project

    proj = open_project(args.dir)
    inputs = load_inputs(proj.network, args.inputs, args.seed)
    mode = "pass" if args.per_pass else "list"
    res = run_project(args.dir, inputs, golden_check=args.golden_check == "on", project=proj, mode=mode)
    if args.outputs:
        write_npz(args.outputs, {k: res.tensors[k] for k in proj.network.outputs})
    check = "bit-exact vs golden on every layer" if args.golden_check == "on" else "golden check off"
    total = sum(res.seconds.values())
    how = "one call per pass" if args.per_pass else "command lists"
    print(f"C-sim of {proj.network.name} ({how}): {len(res.seconds)} steps in {total:.2f} s "
          f"(compile {res.compile_s:.1f} s), {check}")
    return 0


def cmd_regress(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from generator.regress import OPS, draw_cases, summarize
    from sim.regress import run_all

    ops = list(OPS) if args.ops == "all" else args.ops.split(",")
    bad = [o for o in ops if o not in OPS]
    if bad:
        raise AccelgenError(f"--ops: unknown op '{bad[0]}' (known: {', '.join(OPS)}, or all)")
    if args.count < 1:
        raise AccelgenError(f"--count {args.count}: must be >= 1")
    cases = draw_cases(ops, args.count, args.seed)
    cache = Path(args.work_dir) / "engines"
    failures = Path(args.work_dir) / "failures"

    def progress(it, total):
        return tqdm(it, total=total, desc=f"regress {args.backend}", unit="case", disable=args.quiet)

    results = run_all(cases, args.backend, args.scheduler, args.workers, cache, failures, progress)
    table = summarize(results)
    print(format_table(["op", "passed", "failed"], [[op, r["passed"], r["failed"]] for op, r in table.items()]))
    failed = [r for r in results if not r["ok"]]
    for r in failed[:10]:
        print(f"FAIL {r['case']}: {r['error']}")
        if "saved" in r:
            print(f"     replay: accelgen golden {r['saved']} --inputs {r['saved'][:-5]}.inputs.npz --outputs out.npz")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


# ---- parser -----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="accelgen", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"accelgen {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, fn: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help)
        sp.set_defaults(fn=fn)
        return sp

    sp = command("validate", cmd_validate, "check a network against every rule of the format")
    add_net(sp)
    sp = command("info", cmd_info, "per-layer shapes, MACs and parameters")
    add_net(sp)
    sp.add_argument("--json", action="store_true", help="print JSON instead of a table")
    sp = command("golden", cmd_golden, "run the integer golden model")
    add_net(sp)
    sp.add_argument("--inputs", help="NPZ with one array per network input (default: seeded random)")
    sp.add_argument("--outputs", required=True, help="NPZ to write the network outputs to")
    sp.add_argument("--all", action="store_true", help="write every layer's output, not only the network outputs")
    sp = command("inputs", cmd_inputs, "write seeded random inputs for a network")
    add_net(sp)
    sp.add_argument("--out", required=True, help="NPZ to write")
    sp = command("zoo", cmd_zoo, "list built-in networks, or write one as JSON + NPZ")
    sp.add_argument("name", nargs="?", help="zoo name to write")
    sp.add_argument("--out", default=".", help="directory for NAME.json and NAME.npz (default .)")
    sp.add_argument("--seed", type=int, default=0)
    sp = command("generate", cmd_generate, "write the HLS/Vivado/host project for a network on a board")
    add_net(sp)
    sp.add_argument("--board", required=True, help="board name (accelgen boards) or YAML path")
    sp.add_argument("--out", required=True, help="project directory to write")
    sp.add_argument("--clock", type=float, help="engine clock in MHz (default: the board's)")
    sp.add_argument("--pi", type=int, help="input-channel parallelism of the conv kernels")
    sp.add_argument("--po", type=int, help="output-channel parallelism of every kernel")
    sp.add_argument("--par", action="append", metavar="KIND=PIxPO", help="per-kernel parallelism, e.g. pwconv=8x16")
    sp.add_argument("--no-pack", action="append", metavar="KIND", help="disable DSP packing for a kernel kind")
    sp.add_argument("--budget", type=float, default=1.0, help="fraction of the board the plan may use (default 1)")
    sp.add_argument("--lut-fraction", type=float, default=0.7, help="LUT share the plan may use (default 0.7)")
    sp = command("csim", cmd_csim, "C-simulate a generated project (g++), checked against golden")
    sp.add_argument("dir", metavar="DIR", help="project directory from accelgen generate")
    sp.add_argument("--inputs", help="NPZ of network inputs (default: seeded random)")
    sp.add_argument("--outputs", help="NPZ to write the network outputs to")
    sp.add_argument("--golden-check", choices=["on", "off"], default="on", help="compare every layer with golden")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--per-pass", action="store_true",
                    help="one engine start per pass with streamed I/O (default: command lists, as the host runs)")
    sp = command("regress", cmd_regress, "random single-layer networks: golden vs C-sim (or RTL), in parallel")
    sp.add_argument("--ops", default="all", help="comma-separated ops, or all (default)")
    sp.add_argument("--count", type=int, default=20, help="number of cases (default 20)")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--backend", choices=["csim", "rtl"], default="csim")
    sp.add_argument("--scheduler", default="local",
                    help="'local' (a Dask LocalCluster, default), 'none' (in process) or a Dask scheduler address")
    sp.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    sp.add_argument("--work-dir", default="build/regress", help="engine cache and saved failures")
    sp.add_argument("--quiet", action="store_true", help="no progress bar")
    sp = command("boards", cmd_boards, "list the supported boards")
    sp.add_argument("--json", action="store_true")
    from generator.run_cli import add_commands

    add_commands(command)  # run, deploy (host runtime)
    add_plan_command(sub)
    frontend_cli.register(command)
    from generator.rtl.cli import add_commands as add_rtl_commands

    add_rtl_commands(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.fn(args)
    except (AccelgenError, HostError) as e:
        print(f"accelgen: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("accelgen: interrupted", file=sys.stderr)
        return 130
