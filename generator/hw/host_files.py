"""The host runtime's inputs: schedule, register map, engine description and weight image."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from generator.hw import regmap
from generator.hw.engine import EngineConfig
from generator.hw.schedule import Schedule


def write_host_files(dest: Path, engine: EngineConfig, schedule: Schedule, image: np.ndarray) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "schedule.json").write_text(json.dumps(schedule.to_json(), indent=1) + "\n")
    (dest / "regmap.json").write_text(json.dumps(regmap.to_json(), indent=1) + "\n")
    (dest / "engine.json").write_text(json.dumps(engine.to_json() | {"signature": engine.signature}, indent=1) + "\n")
    np.asarray(image, dtype="<u8").tofile(dest / "weights.bin")
