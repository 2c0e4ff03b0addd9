"""Built-in networks: a zoo name works wherever a network path is accepted.

The torch models (CoDeNet a-e and demo, HAO members) import torch only when built; without the
`torch` extra their names still list but building one is a one-line error.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from generator.errors import AccelgenError, NetworkError
from generator.ir.io import load_network
from generator.ir.network import Network
from generator.zoo import tiny

TORCH_MODELS = (
    "codenet-a", "codenet-b", "codenet-c", "codenet-d", "codenet-e", "codenet-demo",
    "hao-s", "hao-m", "hao-l",
)


def _torch_model(name: str, seed: int = 0, checkpoint: str | None = None) -> Network:
    try:
        from generator.frontend.zoo import zoo_network
    except ImportError as e:
        raise AccelgenError(f"zoo network '{name}' needs torch ({e}); pip install 'accelgen[torch]'") from None
    return zoo_network(name, seed, checkpoint)


ZOO: dict[str, Callable[..., Network]] = {
    "tiny": tiny.build,
    **{name: partial(_torch_model, name) for name in TORCH_MODELS},
}


def resolve(spec: str, seed: int = 0, checkpoint: str | None = None) -> Network:
    """A path to NAME.json, or a zoo name (seeded random weights, or `checkpoint`'s)."""
    path = Path(spec)
    if spec.endswith(".json") or path.exists():
        if checkpoint is not None:
            raise NetworkError(f"network '{spec}': --checkpoint applies to zoo names, not network files")
        return load_network(path)
    if spec in ZOO:
        if checkpoint is None:
            return ZOO[spec](seed)
        if spec not in TORCH_MODELS:
            raise NetworkError(f"network '{spec}': takes no checkpoint (torch models: {', '.join(TORCH_MODELS)})")
        return ZOO[spec](seed, checkpoint=checkpoint)
    raise NetworkError(
        f"network '{spec}': no such file and not a zoo name (zoo: {', '.join(sorted(ZOO))})"
    )
