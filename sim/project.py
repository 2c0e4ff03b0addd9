"""Read a generated project's files back (network, schedule, weight image)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generator.errors import AccelgenError
from generator.ir.io import load_network
from generator.ir.network import Network


@dataclass
class Project:
    path: Path
    network: Network
    schedule: dict[str, Any]
    weights: np.ndarray
    report: dict[str, Any]


def open_project(path: str | Path) -> Project:
    path = Path(path)
    report_file = path / "report.json"
    if not report_file.exists():
        raise AccelgenError(f"{path}: not a generated project (no report.json); run accelgen generate first")
    report = json.loads(report_file.read_text())
    net = load_network(path / "network" / f"{report['network']}.json")
    schedule = json.loads((path / "host" / "schedule.json").read_text())
    weights = np.fromfile(path / "host" / "weights.bin", dtype="<u8").astype(np.uint64)
    return Project(path, net, schedule, weights, report)
