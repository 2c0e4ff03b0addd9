"""Checkpoints: the model family and config, the float weights (BN unfolded) and optionally a
quantisation-aware fine-tuned state (BN folded, learned ranges) with its bits.

Saved with torch.save as plain dicts of tensors and numbers, loaded with weights_only=True.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from generator.errors import AccelgenError

FORMAT = "accelgen-checkpoint/1"


def save_checkpoint(path: str | Path, zoo_name: str, family: str, config: dict[str, Any],
                    float_state: dict[str, torch.Tensor], quant: dict[str, Any] | None = None,
                    meta: dict[str, Any] | None = None) -> Path:
    """`quant` = {"w_bits", "a_bits", "first_w_bits", "state"}; tensors stored as float16
    where lossless enough (weights), float32 for quantizer ranges and BN statistics."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"format": FORMAT, "zoo": zoo_name, "family": family, "config": config,
           "float": _compact(float_state), "quant": None, "meta": meta or {}}
    if quant is not None:
        doc["quant"] = {**{k: v for k, v in quant.items() if k != "state"}, "state": _compact(quant["state"])}
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(doc, tmp)
    tmp.replace(path)
    return path


def _compact(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().clone() for k, v in state.items()}


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        raise AccelgenError(f"checkpoint {path}: file not found")
    try:
        doc = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many types for a corrupt file
        raise AccelgenError(f"checkpoint {path}: not a readable torch checkpoint ({type(e).__name__})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AccelgenError(f"checkpoint {path}: format must be '{FORMAT}'")
    for key in ("zoo", "family", "config", "float"):
        if key not in doc:
            raise AccelgenError(f"checkpoint {path}: missing key '{key}'")
    return doc
