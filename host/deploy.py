"""`accelgen deploy`: copy the host runtime, a project's host files and its bitstream to a board.

The files are staged locally in the board's layout (DEST/host/ = this package, DEST/<project>/host/
= the four host files, DEST/<project>/accel_<signature>.bit/.hwh), then copied with one `ssh
mkdir -p` and one `scp -r`. Nothing of the generator is copied: the board needs numpy and pynq only.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from host.errors import HostError
from host.project import HOST_FILES, host_dir, load_project

PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class DeployPlan:
    target: str  # user@host
    dest: str
    project: str  # project folder name on the board
    files: tuple[str, ...]  # staged paths, relative to the stage root
    commands: tuple[tuple[str, ...], ...]

    def run_instructions(self) -> str:
        q = shlex.quote
        cmd = (f"python3 -m host run {q(self.project)} --inputs in.npz --outputs out.npz --device pynq "
               "--repeat 100")
        return "\n".join([
            "on the board (PYNQ image; pynq needs root):",
            f"  ssh {self.target}",
            f"  cd {q(self.dest)}",
            f"  sudo -E bash -c 'source /etc/profile.d/pynq_venv.sh && {cmd}'",
            "  (--repeat 100 prints the measured frames per second; docs/board-bringup.md)",
        ])


def stage(project_dir: str | Path, root: Path, with_bitstream: bool = True) -> tuple[str, list[str]]:
    """Copy the host package and the project's files under `root`; returns (project name, files)."""
    proj = load_project(project_dir)  # refuses inconsistent host files before anything is copied
    name = Path(project_dir).resolve().name
    files: list[str] = []
    shutil.copytree(PACKAGE, root / "host", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    files += [str(p.relative_to(root)) for p in sorted((root / "host").rglob("*")) if p.is_file()]
    hdir = host_dir(project_dir)
    (root / name / "host").mkdir(parents=True)
    for f in HOST_FILES:
        shutil.copy2(hdir / f, root / name / "host" / f)
        files.append(f"{name}/host/{f}")
    if with_bitstream:
        bit, hwh = proj.find_bitstream()
        for f in (bit, hwh):
            shutil.copy2(f, root / name / f.name)
            files.append(f"{name}/{f.name}")
    return name, files


def plan(project_dir: str | Path, board_host: str, user: str, dest: str, stage_root: Path,
         with_bitstream: bool = True) -> DeployPlan:
    if not board_host or any(c.isspace() for c in board_host) or board_host.startswith("-"):
        raise HostError(f"deploy: board host {board_host!r} is not a host name or address")
    name, files = stage(project_dir, stage_root, with_bitstream)
    target = f"{user}@{board_host}" if user else board_host
    cmds = (
        ("ssh", target, f"mkdir -p {shlex.quote(dest)}"),
        ("scp", "-r", "-q", str(stage_root / "host"), str(stage_root / name), f"{target}:{dest}/"),
    )
    return DeployPlan(target, dest, name, tuple(files), cmds)


def run_commands(commands: Sequence[Sequence[str]]) -> None:
    for cmd in commands:
        try:
            r = subprocess.run(list(cmd), capture_output=True, text=True)
        except FileNotFoundError:
            raise HostError(f"deploy: '{cmd[0]}' not found on PATH (install openssh-client)") from None
        if r.returncode != 0:
            last = (r.stderr.strip().splitlines() or ["no error output"])[-1]
            raise HostError(f"deploy: {cmd[0]} exited {r.returncode}: {last}")


def deploy(project_dir: str | Path, board_host: str, user: str = "xilinx", dest: str = "/home/xilinx/accelgen",
           with_bitstream: bool = True, dry_run: bool = False) -> DeployPlan:
    """Stage and copy; with `dry_run`, only stage and return the commands that would run."""
    with tempfile.TemporaryDirectory(prefix="accelgen-deploy-") as tmp:
        p = plan(project_dir, board_host, user, dest, Path(tmp), with_bitstream)
        if not dry_run:
            run_commands(p.commands)
    return p
