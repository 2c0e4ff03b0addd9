"""Measurement files the model is checked against and calibrated from.

Committed under generator/cost/measurements/ (see the README there):

- `synth*.json` (yosys): {"format": "accelgen-synth/1", "tool", "part",
  "engine": EngineConfig JSON, "kernels": {kind: {dsp, lut, ff, bram18}}, "total": {...}}.
  `kernels` is the per-kernel breakdown of the synthesized hierarchy; `total` the whole engine.
- `rtlsim*.json` (RTL simulation): {"format": "accelgen-rtlsim/1", "simulator",
  "engine": EngineConfig JSON, "stream_bytes_per_cycle": null or the testbench's shared rate,
  "passes": [{"layer", "kernel", "regs": {register: value}, "cycles"}]}.
  `cycles` counts from ap_start to ap_done of one pass.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.cost.resources import RESOURCE_KEYS, Resources
from generator.errors import AccelgenError
from generator.hw.engine import EngineConfig, KernelSpec

MEASUREMENTS_DIR = Path(__file__).resolve().parent / "measurements"
TOLERANCES_FILE = MEASUREMENTS_DIR / "tolerances.json"
SYNTH_FORMAT = "accelgen-synth/1"
RTLSIM_FORMAT = "accelgen-rtlsim/1"


@dataclass(frozen=True)
class SynthKernel:
    source: str
    spec: KernelSpec
    measured: Resources


@dataclass(frozen=True)
class SynthTotal:
    source: str
    engine: EngineConfig
    measured: Resources


@dataclass(frozen=True)
class RtlPass:
    source: str
    engine: EngineConfig
    layer: str
    spec: KernelSpec
    regs: dict[str, int]
    bytes_per_cycle: float | None
    cycles: int


@dataclass(frozen=True)
class Measurements:
    kernels: tuple[SynthKernel, ...]
    totals: tuple[SynthTotal, ...]
    passes: tuple[RtlPass, ...]
    files: tuple[dict[str, Any], ...]  # path, sha256, what

    @property
    def empty(self) -> bool:
        return not (self.kernels or self.totals or self.passes)


def engine_from_json(d: dict[str, Any]) -> EngineConfig:
    kernels = tuple(KernelSpec(**k) for k in d["kernels"])
    return EngineConfig(d["network"], d["board"], d["clock_mhz"], d["act_bits"], d["w_bits"], kernels)


def _resources(d: dict[str, Any], where: str) -> Resources:
    missing = [k for k in RESOURCE_KEYS if k not in d]
    if missing:
        raise AccelgenError(f"{where}: missing '{missing[0]}'")
    return Resources(**{k: int(d[k]) for k in RESOURCE_KEYS})


def load_measurements(directory: Path = MEASUREMENTS_DIR) -> Measurements:
    kernels: list[SynthKernel] = []
    totals: list[SynthTotal] = []
    passes: list[RtlPass] = []
    files = []
    for path in sorted(directory.rglob("*.json")) if directory.exists() else []:
        if not path.name.startswith(("synth", "rtlsim")):
            continue
        text = path.read_text()
        try:
            doc = json.loads(text)
            rel = str(path.relative_to(directory))
            engine = engine_from_json(doc["engine"])
            if doc.get("format") == SYNTH_FORMAT:
                for kind, res in doc.get("kernels", {}).items():
                    kernels.append(SynthKernel(rel, engine.kernel(kind), _resources(res, f"{rel}: kernels.{kind}")))
                if "total" in doc:
                    totals.append(SynthTotal(rel, engine, _resources(doc["total"], f"{rel}: total")))
            elif doc.get("format") == RTLSIM_FORMAT:
                bpc = doc.get("stream_bytes_per_cycle")
                for p in doc["passes"]:
                    passes.append(RtlPass(rel, engine, p["layer"], engine.kernel(p["kernel"]),
                                          {k: int(v) for k, v in p["regs"].items()}, bpc, int(p["cycles"])))
            else:
                raise AccelgenError(f"{rel}: format must be '{SYNTH_FORMAT}' or '{RTLSIM_FORMAT}'")
        except (KeyError, TypeError, ValueError) as e:
            raise AccelgenError(f"measurement file {path}: malformed ({type(e).__name__}: {e})") from None
        files.append({"path": rel, "sha256": hashlib.sha256(text.encode()).hexdigest()[:16],
                      "what": "yosys" if path.name.startswith("synth") else "rtlsim"})
    return Measurements(tuple(kernels), tuple(totals), tuple(passes), tuple(files))


def load_tolerances(path: Path = TOLERANCES_FILE) -> dict[str, float]:
    return {k: float(v) for k, v in json.loads(path.read_text()).items() if not k.startswith("_")}
