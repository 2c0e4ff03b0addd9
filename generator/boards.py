"""Board data: one YAML per board under boards/ is the only place board facts live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import BoardError
from generator.ir.fields import decode_fields

BOARDS_DIR = Path(__file__).resolve().parent.parent / "boards"
RESOURCE_KEYS = ("lut", "ff", "bram18", "uram", "dsp")


@dataclass(frozen=True)
class Resources:
    lut: int
    ff: int
    bram18: int
    uram: int
    dsp: int


@dataclass(frozen=True)
class Ddr:
    type: str
    width_bits: int
    mts: int
    peak_gbps: float

    @property
    def bytes_per_s(self) -> float:
        return self.width_bits / 8 * self.mts * 1e6


@dataclass(frozen=True)
class Vivado:
    board_part: str
    ps_ip: str
    hp_port: str


@dataclass(frozen=True)
class Board:
    name: str
    description: str
    part: str
    pynq_board: str
    clock_mhz: float
    resources: Resources
    ddr: Ddr
    vivado: Vivado


def _section(cls: type, data: dict[str, Any], key: str, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, dict):
        raise BoardError(f"{where}: '{key}' must be a mapping")
    return decode_fields(cls, value, f"{where}: {key}", BoardError)


def parse_board(data: Any, where: str) -> Board:
    if not isinstance(data, dict):
        raise BoardError(f"{where}: top level must be a mapping")
    sections = {"resources": Resources, "ddr": Ddr, "vivado": Vivado}
    for key in sections:
        if key not in data:
            raise BoardError(f"{where}: missing field '{key}'")
    extra = {k: _section(cls, data, k, where) for k, cls in sections.items()}
    board = decode_fields(Board, data, where, BoardError, skip=frozenset(sections), extra=extra)
    for key in RESOURCE_KEYS:
        if getattr(board.resources, key) < 0:
            raise BoardError(f"{where}: resources.{key} must be >= 0")
    if board.clock_mhz <= 0:
        raise BoardError(f"{where}: clock_mhz must be > 0")
    expected = board.ddr.width_bits / 8 * board.ddr.mts / 1000
    if abs(board.ddr.peak_gbps - expected) > 0.01 * expected:
        raise BoardError(
            f"{where}: ddr.peak_gbps = {board.ddr.peak_gbps} disagrees with width_bits x mts = {expected:.3f}"
        )
    return board


def board_names(directory: Path = BOARDS_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml"))


def load_board(name: str, directory: Path = BOARDS_DIR) -> Board:
    """Board by name (boards/NAME.yaml) or by path to a YAML file."""
    path = Path(name) if name.endswith((".yaml", ".yml")) else directory / f"{name}.yaml"
    if not path.exists():
        raise BoardError(f"board '{name}': unknown (known: {', '.join(board_names(directory))})")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise BoardError(f"board file {path}: invalid YAML ({str(e).splitlines()[0]})") from None
    board = parse_board(data, f"board {path.stem}")
    if board.name != path.stem:
        raise BoardError(f"board file {path}: name '{board.name}' must equal the file name '{path.stem}'")
    return board
