"""`accelgen plan NET --board B [--clock MHz] [--budget F] [--lut-fraction B] --out DIR`.

Writes DIR/plan.json (keys of issue 5) and DIR/report.html, and prints where the time goes.
Registered in generator/cli.py with `add_plan_command(subparsers)`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from generator.boards import board_names, load_board
from generator.zoo import ZOO, resolve


def cmd_plan(args: argparse.Namespace) -> int:
    from generator.plan import Options, plan_network, whatif
    from generator.plan.report import html_report, text_report

    net = resolve(args.net, args.seed)
    board = load_board(args.board)
    opts = Options(command_list=not args.per_pass)
    plan = plan_network(net, board, args.clock, args.budget, args.lut_fraction, opts, time_limit_s=args.time_limit)
    levers = None if args.no_whatif else whatif(net, board, args.clock, args.budget, args.lut_fraction,
                                                base=opts)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "plan.json").write_text(json.dumps(plan.to_json(), indent=2) + "\n")
    (out / "report.html").write_text(html_report(plan, levers))
    print(text_report(plan, levers))
    print(f"\nwrote {out / 'plan.json'} and {out / 'report.html'}")
    return 0


def add_plan_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("net", metavar="NET", help=f"network JSON path or zoo name ({', '.join(sorted(ZOO))})")
    p.add_argument("--seed", type=int, default=0, help="seed for zoo weights (default 0)")
    p.add_argument("--board", required=True, help=f"board name ({', '.join(board_names())}) or YAML path")
    p.add_argument("--clock", type=float, default=None, metavar="MHZ", help="engine clock (default: the board's)")
    p.add_argument("--budget", type=float, default=1.0, metavar="F",
                   help="fraction of the board's DSP/LUT/FF/BRAM18 the engine may use (default 1.0)")
    p.add_argument("--lut-fraction", type=float, default=0.7, metavar="BETA",
                   help="of the budgeted LUTs, the fraction the model may fill (default 0.7, routing headroom)")
    p.add_argument("--time-limit", type=float, default=10.0, metavar="S", help="solver time limit (default 10 s)")
    p.add_argument("--no-whatif", action="store_true", help="skip the what-if lines for unimplemented levers")
    p.add_argument("--per-pass", action="store_true",
                   help="price one engine start per pass (host runs without command lists)")
    p.add_argument("--out", required=True, metavar="DIR", help="directory for plan.json and report.html")


def add_plan_command(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    help = "size the engine for a board (integer program over the resource/latency model)"
    p = sub.add_parser("plan", help=help, description=help)
    p.set_defaults(fn=cmd_plan)
    add_plan_arguments(p)
    return p
