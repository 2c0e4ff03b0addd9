"""Registers the host runtime's `run` and `deploy` subcommands in the accelgen CLI.

The commands themselves live in host/cli.py, so the board (which has only the host package) runs
the same code as `python3 -m host run ...`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from host import cli as host_cli

Command = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def cmd_run(args: argparse.Namespace) -> int:
    """`accelgen run`: as `python3 -m host run`, but on this machine the sim device's C-sim
    library is built first when the project has none yet (the board needs no compiler)."""
    if args.device == "sim" and not args.fast and not getattr(args, "lib", None):
        from pathlib import Path

        from sim.csim import build

        build(Path(args.dir))
    return host_cli.cmd_run(args)


def add_commands(command: Command) -> None:
    sp = command("run", cmd_run, "run a generated project's frames on a device (sim or pynq board)")
    host_cli.add_run_args(sp)
    sp = command("deploy", host_cli.cmd_deploy, "copy a project's host files and bitstream to a board over scp")
    host_cli.add_deploy_args(sp)
