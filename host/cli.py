"""Host command line: `run` a project on a device and `deploy` it to a board.

On the board (only numpy + pynq installed): `python3 -m host run DIR --inputs in.npz --outputs
out.npz --device pynq`. On the development machine the same commands are `accelgen run` and
`accelgen deploy` (registered by generator/run_cli.py). User errors exit 2 with one line.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from host.devices import DEVICES
from host.errors import HostError, InputError


def read_npz(path: str) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise InputError(f"inputs file {path} not found") from None
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise InputError(f"inputs file {path} is not a readable NPZ ({e})") from None


def write_npz(path: str, arrays: dict[str, np.ndarray]) -> None:
    """Atomic: staged next to `path` and renamed into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **arrays)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", metavar="DIR", help="generated project (holds host/schedule.json ...)")
    p.add_argument("--inputs", required=True, help="NPZ with one (H, W, C) integer array per network input")
    p.add_argument("--outputs", required=True, help="NPZ to write the network outputs to")
    p.add_argument("--device", choices=DEVICES, default="sim", help="sim (C-sim or --fast emulator) or pynq (board)")
    p.add_argument("--fast", action="store_true", help="sim device: numpy register-level emulator instead of the C-sim")
    p.add_argument("--lib", help="sim device: path to libaccel.so (default: DIR/**/libaccel.so)")
    p.add_argument("--bitstream", help="pynq device: .bit file (default: DIR/**/accel_<signature>.bit)")
    p.add_argument("--timeout", type=float, default=2.0,
                   help="seconds to wait for each engine start: a pass or a command list (default 2)")
    p.add_argument("--per-pass", action="store_true",
                   help="start the engine once per pass with DMA streams (default: command lists)")
    p.add_argument("--repeat", type=int, default=1, help="run the frame N times (streamed) and report frames/s")


def add_deploy_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", metavar="DIR", help="generated project")
    p.add_argument("--board-host", required=True, metavar="ADDR", help="board host name or IP address")
    p.add_argument("--user", default="xilinx", help="ssh user (default xilinx)")
    p.add_argument("--dest", default="/home/xilinx/accelgen", help="folder on the board (default /home/xilinx/accelgen)")
    p.add_argument("--no-bitstream", action="store_true", help="copy without a bitstream (to run --device sim --fast on the board)")
    p.add_argument("--dry-run", action="store_true", help="print the ssh/scp commands without running them")


def cmd_run(args: argparse.Namespace) -> int:
    from host.accelerator import Accelerator
    from host.devices import make_device

    if args.repeat < 1:
        raise HostError(f"--repeat {args.repeat}: must be >= 1")
    kw = {}
    if args.device == "sim" and args.lib:
        kw["lib"] = args.lib
    if args.device == "pynq" and args.bitstream:
        kw["bitstream"] = args.bitstream
    device = make_device(args.device, fast=args.fast, **kw)
    inputs = read_npz(args.inputs)
    with Accelerator(args.dir, device, timeout_s=args.timeout, command_list=False if args.per_pass else None) as acc:
        out = acc.run(inputs)
        fps = None
        if args.repeat > 1:
            acc.reset_timings()
            t0 = time.perf_counter()
            for _ in acc.stream(inputs for _ in range(args.repeat)):
                pass
            fps = args.repeat / (time.perf_counter() - t0)
        per = acc.timing_per_frame()
        write_npz(args.outputs, out)
        how = "command lists" if acc.command_list else "one start per pass"
        print(f"{acc.project.network} on {acc.device.name} ({how}): wrote {', '.join(out)} to {args.outputs}")
        print(f"per frame: engine {per['engine'] * 1e3:.3f} ms, host {per['host_overhead'] * 1e3:.3f} ms "
              f"(ARM ops {per['arm'] * 1e3:.3f}, registers {per['regs'] * 1e3:.3f}, "
              f"pack {per['pack'] * 1e3:.3f}, unpack {per['unpack'] * 1e3:.3f})")
        if fps is not None:
            print(f"{args.repeat} frames streamed: {fps:.1f} frames/s")
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from host.deploy import deploy

    p = deploy(args.dir, args.board_host, args.user, args.dest, with_bitstream=not args.no_bitstream,
               dry_run=args.dry_run)
    if args.dry_run:
        for c in p.commands:
            print(" ".join(c))
        print(f"(dry run: {len(p.files)} files were staged in a temporary folder and nothing was copied)")
    else:
        print(f"copied {len(p.files)} files to {p.target}:{p.dest}")
    print(p.run_instructions())
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python3 -m host", description="accelgen host runtime")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sp = sub.add_parser("run", help="run one frame of a project on a device")
    add_run_args(sp)
    sp.set_defaults(fn=cmd_run)
    sp = sub.add_parser("deploy", help="copy a project and the host runtime to a board")
    add_deploy_args(sp)
    sp.set_defaults(fn=cmd_deploy)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except HostError as e:
        print(f"accelgen: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("accelgen: interrupted", file=sys.stderr)
        return 130
