"""Built-in networks: a zoo name works wherever a network path is accepted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.errors import NetworkError
from generator.ir.io import load_network
from generator.ir.network import Network
from generator.zoo import tiny

ZOO: dict[str, Callable[[int], Network]] = {
    "tiny": tiny.build,
}


def resolve(spec: str, seed: int = 0) -> Network:
    """A path to NAME.json, or a zoo name (seeded random weights)."""
    path = Path(spec)
    if spec.endswith(".json") or path.exists():
        return load_network(path)
    if spec in ZOO:
        return ZOO[spec](seed)
    raise NetworkError(
        f"network '{spec}': no such file and not a zoo name (zoo: {', '.join(sorted(ZOO))})"
    )
