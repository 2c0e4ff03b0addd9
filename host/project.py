"""Load and check a generated project's host files: DIR/host/{schedule,regmap,engine}.json and
weights.bin (docs/architecture.md, "Schedule and project files").

Everything is checked when the project is loaded (format tags, required keys, register names,
tensor shapes, weight-image size, the design signature against engine.json), so a frame never
starts on inconsistent files. The bitstream is DIR/**/accel_<signature:08x>.bit with its .hwh.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from host import armops
from host.errors import ProjectError, SignatureError
from host.streams import n_beats

SCHEDULE_FORMAT = "accelgen-schedule/1"
HOST_FILES = ("schedule.json", "regmap.json", "engine.json", "weights.bin")


@dataclass(frozen=True)
class Tensor:
    name: str
    shape: tuple[int, int, int]
    bits: int
    signed: bool

    @property
    def lo(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def hi(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    def describe(self) -> str:
        return f"{'signed' if self.signed else 'unsigned'} {self.bits}-bit range [{self.lo}, {self.hi}]"


@dataclass(frozen=True)
class Step:
    layer: str
    where: str  # "engine" or "arm"
    op: str
    inputs: tuple[str, ...]
    output: str
    kernel: str | None = None
    regs: dict[str, int] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RegMap:
    """Offsets from regmap.json; `layer_regs` is the C-sim ABI order (the per-pass registers);
    `cmd_fields` / `cmd_words` the command-list descriptor (empty / 0: an engine without lists)."""

    control: dict[str, int]
    modes: dict[str, int]
    offsets: dict[str, int]
    widths: dict[str, int]
    layer_regs: tuple[str, ...]
    cmd_fields: tuple[str, ...] = ()
    cmd_words: int = 0

    def offset(self, name: str) -> int:
        return self.offsets[name]


@dataclass(frozen=True)
class Project:
    root: Path
    network: str
    signature: int
    act_bits: int
    w_bits: int
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    tensors: dict[str, Tensor]
    steps: tuple[Step, ...]
    regmap: RegMap
    engine: dict[str, Any]
    weights: np.ndarray  # uint64 weight-memory image
    act_offsets: dict[str, int] = field(default_factory=dict)  # command lists: tensor -> word offset
    act_words: int = 0  # command lists: activation memory size (0: the project has no layout)

    @property
    def has_command_lists(self) -> bool:
        return self.regmap.cmd_words > 0 and self.act_words > 0

    @property
    def clock_mhz(self) -> float:
        return float(self.engine.get("clock_mhz", 0.0))

    @property
    def board(self) -> str:
        return str(self.engine.get("board", ""))

    def beats(self, tensor: str) -> int:
        return n_beats(self.tensors[tensor].shape, self.act_bits)

    def engine_steps(self) -> list[Step]:
        return [s for s in self.steps if s.where == "engine"]

    def bitstream_name(self) -> str:
        return f"accel_{self.signature:08x}.bit"

    def find_bitstream(self) -> tuple[Path, Path]:
        """(bit, hwh) whose names carry this project's signature; refuses other signatures."""
        want = self.bitstream_name()
        found = sorted(self.root.rglob("accel_*.bit"))
        match = [p for p in found if p.name == want]
        if not match:
            if found:
                others = ", ".join(str(p.relative_to(self.root)) for p in found)
                raise SignatureError(f"bitstream: {others} under {self.root} carries a different design signature "
                                     f"than the host files ({want}); rebuild the bitstream or regenerate the project")
            raise ProjectError(f"bitstream: no {want} under {self.root} (build it with Vivado, or run with --device sim)")
        bit = match[0]
        hwh = bit.with_suffix(".hwh")
        if not hwh.exists():
            raise ProjectError(f"bitstream: {bit} has no {hwh.name} beside it (pynq.Overlay needs both)")
        return bit, hwh


def engine_signature(engine: dict[str, Any]) -> int:
    """The design signature as generator.hw.engine computes it: sha256 of the sorted JSON, 4 bytes LE.

    engine.json may carry the signature itself (key `signature`); it is not part of the hash.
    """
    body = {k: v for k, v in engine.items() if k != "signature"}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).digest()
    return int.from_bytes(digest[:4], "little")


def host_dir(root: str | Path) -> Path:
    """DIR/host when DIR is the project, or DIR itself when it already holds the host files."""
    root = Path(root)
    if (root / "host" / "schedule.json").exists():
        return root / "host"
    return root


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ProjectError(f"project: {path} is missing (generate the project first)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ProjectError(f"project: cannot read {path} ({e})") from None
    except json.JSONDecodeError as e:
        raise ProjectError(f"project: {path} is not valid JSON (line {e.lineno}: {e.msg})") from None


def _need(where: str, data: Any, key: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise ProjectError(f"{where}: missing key '{key}'")
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ProjectError(f"{where}: key '{key}' has the wrong type ({type(value).__name__})")
    return value


def parse_regmap(data: Any) -> RegMap:
    where = "regmap.json"
    control = _need(where, data, "control", dict)
    for key in ("ctrl", "ap_start", "ap_done"):
        _need(f"{where} control", control, key, int)
    modes = _need(where, data, "modes", dict)
    regs = _need(where, data, "registers", list)
    offsets, widths, layer = {}, {}, []
    for i, r in enumerate(regs):
        w = f"{where} register {i}"
        name = _need(w, r, "name", str)
        offsets[name] = _need(w, r, "offset", int)
        widths[name] = _need(w, r, "width", int)
        scope = r.get("scope", "engine" if name == "weights" else "pass")
        if _need(w, r, "access", str) == "w" and scope == "pass":
            layer.append(name)
    for name in ("signature", "mode", "weights"):
        if name not in offsets:
            raise ProjectError(f"{where}: register '{name}' is missing")
    if "nop" not in modes:
        raise ProjectError(f"{where}: mode 'nop' is missing")
    cmd_fields: tuple[str, ...] = ()
    cmd_words = 0
    if "commands" in data:
        cmds = _need(where, data, "commands", dict)
        cmd_fields = tuple(_need(f"{where} commands", cmds, "fields", list))
        cmd_words = _need(f"{where} commands", cmds, "words", int)
        if cmd_fields[:len(layer)] != tuple(layer) or cmd_words != (len(cmd_fields) + 1) // 2:
            raise ProjectError(f"{where}: commands.fields must start with the pass registers and fill "
                               f"commands.words = {cmd_words} 64-bit words")
        for name in ("n_cmds", "cmds", "act_in0", "act_in1", "act_out"):
            if name not in offsets:
                raise ProjectError(f"{where}: register '{name}' is missing (needed by command lists)")
    return RegMap(dict(control), dict(modes), offsets, widths, tuple(layer), cmd_fields, cmd_words)


def parse_tensor(name: str, data: Any) -> Tensor:
    where = f"schedule.json tensor {name}"
    shape = _need(where, data, "shape", list)
    bits = _need(where, data, "bits", int)
    signed = _need(where, data, "signed", bool)
    if len(shape) != 3 or not all(isinstance(v, int) and v >= 1 for v in shape):
        raise ProjectError(f"{where}: shape {shape} must be [H, W, C] of positive integers")
    if not 1 <= bits <= 16:
        raise ProjectError(f"{where}: bits = {bits} is outside 1..16")
    return Tensor(name, (shape[0], shape[1], shape[2]), bits, signed)


def parse_step(i: int, data: Any, regmap: RegMap, tensors: dict[str, Tensor]) -> Step:
    where = f"schedule.json step {i}"
    layer = _need(where, data, "layer", str)
    where = f"schedule.json layer {layer}"
    kind = _need(where, data, "where", str)
    op = _need(where, data, "op", str)
    inputs = tuple(_need(where, data, "inputs", list))
    output = _need(where, data, "output", str)
    for t in (*inputs, output):
        if t not in tensors:
            raise ProjectError(f"{where}: tensor '{t}' is not in the schedule's tensors")
    if kind == "engine":
        regs = _need(where, data, "regs", dict)
        missing = [r for r in regmap.layer_regs if r not in regs]
        unknown = [r for r in regs if r not in regmap.layer_regs]
        if missing or unknown:
            raise ProjectError(f"{where}: registers {missing or unknown} {'missing' if missing else 'not in regmap.json'}")
        if not 1 <= len(inputs) <= 2:
            raise ProjectError(f"{where}: an engine pass takes 1 or 2 input streams, got {len(inputs)}")
        return Step(layer, kind, op, inputs, output, kernel=data.get("kernel"), regs={k: int(v) for k, v in regs.items()})
    if kind == "arm":
        fields = data.get("fields") or {}
        armops.check_step(layer, op, fields)
        return Step(layer, kind, op, inputs, output, fields=dict(fields))
    raise ProjectError(f"{where}: 'where' must be 'engine' or 'arm', got {kind!r}")


def load_project(root: str | Path) -> Project:
    """Read and cross-check the four host files of project DIR (or of DIR/host)."""
    root = Path(root)
    if not root.is_dir():
        raise ProjectError(f"project: {root} is not a directory")
    hdir = host_dir(root)
    sched = _read_json(hdir / "schedule.json")
    regmap = parse_regmap(_read_json(hdir / "regmap.json"))
    engine = _read_json(hdir / "engine.json")
    if not isinstance(engine, dict):
        raise ProjectError("engine.json: top level must be an object")
    fmt = sched.get("format") if isinstance(sched, dict) else None
    if fmt != SCHEDULE_FORMAT:
        raise ProjectError(f"schedule.json: format must be '{SCHEDULE_FORMAT}', got {fmt!r}")
    where = "schedule.json"
    signature = _need(where, sched, "signature", int)
    act_bits = _need(where, sched, "act_bits", int)
    w_bits = _need(where, sched, "w_bits", int)
    if act_bits not in (8, 16):
        raise ProjectError(f"{where}: act_bits = {act_bits} must be 8 or 16")
    if w_bits not in (4, 8, 16):
        raise ProjectError(f"{where}: w_bits = {w_bits} must be 4, 8 or 16")
    tensors = {n: parse_tensor(n, t) for n, t in _need(where, sched, "tensors", dict).items()}
    steps = tuple(parse_step(i, s, regmap, tensors) for i, s in enumerate(_need(where, sched, "steps", list)))
    inputs = tuple(_need(where, sched, "inputs", list))
    outputs = tuple(_need(where, sched, "outputs", list))
    for t in (*inputs, *outputs):
        if t not in tensors:
            raise ProjectError(f"{where}: input/output '{t}' is not in the schedule's tensors")
    for t in tensors.values():
        if t.bits > act_bits:
            raise ProjectError(f"{where}: tensor {t.name} has {t.bits} bits, more than the {act_bits}-bit container")
    produced = set(inputs)
    for s in steps:
        for t in s.inputs:
            if t not in produced:
                raise ProjectError(f"{where}: layer {s.layer} reads '{t}' before any step produces it")
        produced.add(s.output)
    n_words = _need(where, sched, "weight_words", int)
    wpath = hdir / "weights.bin"
    try:
        raw = wpath.read_bytes()
    except FileNotFoundError:
        raise ProjectError(f"project: {wpath} is missing (generate the project first)") from None
    if len(raw) != 8 * n_words:
        raise ProjectError(f"weights.bin: {len(raw)} bytes, schedule.json says {n_words} words ({8 * n_words} bytes)")
    weights = np.frombuffer(raw, dtype="<u8").copy()
    stated = engine.get("signature", signature)
    if stated != signature:
        raise SignatureError(f"host files: engine.json says signature {stated:08x} but schedule.json says {signature:08x}; "
                             "the files come from different builds")
    if engine_signature(engine) != signature:
        raise SignatureError(f"host files: engine.json hashes to {engine_signature(engine):08x} but schedule.json "
                             f"says {signature:08x}; the files come from different builds")
    act_offsets = {str(k): int(v) for k, v in (sched.get("act_offsets") or {}).items()}
    act_words = int(sched.get("act_words", 0))
    for s in steps:
        for t in (*s.inputs, s.output):
            if s.where != "engine" or not act_words:
                continue
            off = act_offsets.get(t)
            if off is None or off < 0 or off + n_beats(tensors[t].shape, act_bits) > act_words:
                raise ProjectError(f"{where}: layer {s.layer}: tensor '{t}' has no place inside act_words = "
                                   f"{act_words} (act_offsets: {off})")
    return Project(root, str(sched.get("network", "")), signature, act_bits, w_bits, inputs, outputs, tensors,
                   steps, regmap, engine, weights, act_offsets, act_words)
