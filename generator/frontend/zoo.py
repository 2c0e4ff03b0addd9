"""Zoo builders: a CoDeNet or HAO model by name, with seeded random or checkpoint weights,
folded, quantised and calibrated, and its exported Network (what `generator.zoo` calls)."""

from __future__ import annotations

import logging

import numpy as np
import torch
from torch import nn

from generator.errors import AccelgenError
from generator.frontend import codenet, hao, modules
from generator.frontend.calibrate import calibrate, prepare
from generator.frontend.checkpoint import load_checkpoint
from generator.frontend.data import CALIB_SEED, SyntheticShapes
from generator.frontend.export import export
from generator.ir.network import Network

log = logging.getLogger(__name__)

NAMES = tuple(codenet.CONFIGS) + tuple(hao.CONFIGS)


def family_of(name: str) -> str:
    if name in codenet.CONFIGS:
        return "codenet"
    if name in hao.CONFIGS:
        return "hao"
    raise AccelgenError(f"zoo: '{name}' is not a torch model (known: {', '.join(NAMES)})")


def build_model(name: str, config: dict | None = None) -> nn.Module:
    """A fresh float model; `config` (from a checkpoint) overrides the named codenet config."""
    fam = family_of(name)
    if fam == "codenet":
        cfg = codenet.CONFIGS[name] if config is None else codenet.CoDeNetConfig.from_dict(config)
        return codenet.CoDeNet(cfg)
    return hao.HaoNet(hao.CONFIGS[name])


def input_size(model: nn.Module) -> int:
    return int(model.cfg.input_size)  # type: ignore[union-attr]


def calibration_images(size: int, n: int = 4, seed: int = CALIB_SEED) -> torch.Tensor:
    data = SyntheticShapes(n, size, seed)
    return torch.from_numpy(np.stack([data[i].image for i in range(n)])).permute(0, 3, 1, 2).float() / 255


def batches(images: torch.Tensor, size: int = 2) -> list[torch.Tensor]:
    return [images[i:i + size] for i in range(0, len(images), size)]


def recalibrate_bn(model: nn.Module, images: torch.Tensor) -> None:
    """BN running statistics from `images` (cumulative average): gives random-weight models
    well-scaled activations so their integer networks use their ranges."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    modules.set_mode(model, "float")
    model.train()
    with torch.no_grad():
        for b in batches(images):
            model(b)
    model.eval()


def bits_of(model: nn.Module) -> tuple[int, int, int]:
    cfg = model.cfg  # type: ignore[union-attr]
    if isinstance(cfg, codenet.CoDeNetConfig):
        return cfg.w_bits, cfg.a_bits, cfg.first_w_bits
    return 0, cfg.a_bits, cfg.first_w_bits  # HAO: per-layer weight bits from the config


def quantized_model(name: str, seed: int = 0, checkpoint: str | None = None, w_bits: int | None = None,
                    a_bits: int | None = None, calib: str = "synthetic") -> nn.Module:
    """Folded, quantised, calibrated model ready for fake/int forward and export.

    Without a checkpoint: seeded random weights, BN statistics from synthetic images. With
    one: its QAT state when the bits match, else its float weights quantised post-training.
    `calib` = "synthetic" (synthetic shapes images) or "distilled" (ZeroQ distilled data).
    """
    doc = None
    if checkpoint is not None:
        doc = load_checkpoint(checkpoint)
        if doc["zoo"] != name:
            raise AccelgenError(f"checkpoint {checkpoint}: is for '{doc['zoo']}', not '{name}'")
    torch.manual_seed(seed)
    model = build_model(name, doc["config"] if doc else None)
    model.eval()
    dw, da, df = bits_of(model)
    w_bits = w_bits or dw or None
    a_bits = a_bits or da
    images = calibration_images(input_size(model))
    if doc is None:
        recalibrate_bn(model, images)
    else:
        q = doc.get("quant")
        if q and (w_bits, a_bits) == (q["w_bits"], q["a_bits"]):
            modules.fold(model)
            modules.set_bits(model, q["w_bits"], q["a_bits"], q.get("first_w_bits", df))
            _load(model, q["state"], checkpoint)
            log.info("%s: quantisation-aware trained state w%da%d from %s", name, w_bits, a_bits, checkpoint)
            return model
        _load(model, doc["float"], checkpoint)
    if calib == "distilled":
        from generator.frontend.distill import distill

        images = distill(model, n=len(images), size=input_size(model), seed=seed)
    elif calib != "synthetic":
        raise AccelgenError(f"calibration '{calib}' must be 'synthetic' or 'distilled'")
    if w_bits is None:  # HAO: per-layer bits stay as configured
        modules.fold(model)
        for a in modules.act_quants(model):
            if a.fixed_scale is None:
                a.set_bits(a_bits)
        calibrate(model, batches(images))
    else:
        prepare(model, batches(images), w_bits, a_bits, df)
    return model


def _load(model: nn.Module, state: dict, path: str | None) -> None:
    try:
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    except RuntimeError as e:
        first = str(e).splitlines()[0]
        raise AccelgenError(f"checkpoint {path}: weights do not fit the model ({first})") from None


def example_image(model: nn.Module, seed: int = 0) -> torch.Tensor:
    return calibration_images(input_size(model), 1, seed=CALIB_SEED + 1000 + seed)


def zoo_network(name: str, seed: int = 0, checkpoint: str | None = None, w_bits: int | None = None,
                a_bits: int | None = None, calib: str = "synthetic") -> Network:
    model = quantized_model(name, seed, checkpoint, w_bits, a_bits, calib)
    return export(model, example_image(model), net_name(name))


def net_name(name: str) -> str:
    return name.replace("-", "_")
