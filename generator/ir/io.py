"""Reading and writing a network as NAME.json + NAME.npz (docs/network-format.md)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from generator.errors import NetworkError
from generator.fileio import read_npz, staged, write_json, write_npz
from generator.ir.network import Network


def load_network(path: str | Path) -> Network:
    """Load and fully validate a network; every problem is a one-line NetworkError."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as e:
        raise NetworkError(f"network file {path}: {e.strerror or e}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise NetworkError(f"network file {path}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    arrays = {}
    weights = data.get("weights") if isinstance(data, dict) else None
    if isinstance(weights, str):
        wpath = path.parent / weights
        try:
            arrays = read_npz(wpath)
        except FileNotFoundError:
            raise NetworkError(f"network {path.name}: weights file {wpath} not found") from None
        except (OSError, ValueError, zipfile.BadZipFile) as e:
            raise NetworkError(f"network {path.name}: weights file {wpath} is not a readable NPZ ({e})") from None
    net = Network.from_json(data, arrays)
    net.types  # noqa: B018  (validate now, so callers get errors at load time)
    return net


def save_network(net: Network, path: str | Path) -> Path:
    """Write NAME.json and its NPZ beside it; returns the JSON path. Validates first."""
    net.types  # noqa: B018
    path = Path(path)
    if path.suffix != ".json":
        path = path / f"{net.name}.json"
    weights = net.weights or f"{path.stem}.npz"
    doc = Network(net.name, net.inputs, net.layers, net.outputs, net.arrays, weights).to_json()
    npz = path.parent / weights
    with staged(npz) as tmp_npz:
        write_npz(tmp_npz, net.arrays)
        write_json(path, doc)
    return path
