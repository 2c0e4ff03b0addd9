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
from generator.ir.io import save_network
from generator.ir.network import Network
from generator.reference import random_inputs, run_golden
from generator.summary import human, summarize
from generator.table import format_table
from generator.zoo import ZOO, resolve

log = logging.getLogger("accelgen")


def add_net(p: argparse.ArgumentParser) -> None:
    p.add_argument("net", metavar="NET", help=f"network JSON path or zoo name ({', '.join(sorted(ZOO))})")
    p.add_argument("--seed", type=int, default=0, help="seed for zoo weights and random inputs (default 0)")


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
    net = resolve(args.net, args.seed)
    print(f"{net.name}: valid ({len(net.layers)} layers, {len(net.inputs)} inputs, {len(net.outputs)} outputs)")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    s = summarize(resolve(args.net, args.seed))
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
    net = resolve(args.net, args.seed)
    tensors = run_golden(net, load_inputs(net, args.inputs, args.seed))
    keep = [ly.name for ly in net.layers] if args.all else list(net.outputs)
    write_npz(args.outputs, {k: tensors[k] for k in keep})
    print(f"wrote {len(keep)} tensors to {args.outputs}")
    return 0


def cmd_inputs(args: argparse.Namespace) -> int:
    net = resolve(args.net, args.seed)
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
    sp = command("boards", cmd_boards, "list the supported boards")
    sp.add_argument("--json", action="store_true")
    from generator.rtl.cli import add_commands as add_rtl_commands

    add_rtl_commands(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.fn(args)
    except AccelgenError as e:
        print(f"accelgen: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("accelgen: interrupted", file=sys.stderr)
        return 130
