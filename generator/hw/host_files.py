"""The host files of a generated project: what the board's runtime (host/) loads.

`write_host_files(DIR, net, engine)` writes DIR/host/schedule.json, regmap.json, engine.json and
weights.bin (the weight-memory image as little-endian uint64 words). Each file is staged and
renamed into place (generator.fileio), so a failed build never leaves a half-written file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from generator.fileio import staged, write_json
from generator.hw import regmap
from generator.hw.engine import EngineConfig
from generator.hw.schedule import Schedule, build_schedule
from generator.ir.network import Network

HOST_FILES = ("schedule.json", "regmap.json", "engine.json", "weights.bin")


def bitstream_names(signature: int) -> tuple[str, str]:
    """Bitstream and hardware-handoff file names; they carry the design signature."""
    return f"accel_{signature:08x}.bit", f"accel_{signature:08x}.hwh"


def write_weights(path: str | Path, image: np.ndarray) -> None:
    with staged(path) as tmp:
        tmp.write_bytes(np.asarray(image, dtype=np.uint64).astype("<u8").tobytes())


def write_host_files(project_dir: str | Path, net: Network, engine: EngineConfig) -> Schedule:
    """Write DIR/host/{schedule,regmap,engine}.json and weights.bin; returns the schedule."""
    sched, image = build_schedule(net, engine)
    out = Path(project_dir) / "host"
    out.mkdir(parents=True, exist_ok=True)
    write_weights(out / "weights.bin", image)
    write_json(out / "regmap.json", regmap.to_json())
    write_json(out / "engine.json", engine.to_json())
    write_json(out / "schedule.json", sched.to_json())  # last: its presence marks a complete set
    return sched
