"""Front-end test helpers: tiny one-layer models, seeded calibration, export + golden comparison."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from generator.frontend import modules  # noqa: E402
from generator.frontend.calibrate import prepare  # noqa: E402
from generator.frontend.check import layerwise_lsb  # noqa: E402
from generator.frontend.export import export, int_outputs  # noqa: E402
from generator.reference import run_golden  # noqa: E402


def image_ints(x: torch.Tensor) -> np.ndarray:
    """The uint8 image the QInput makes of a float batch of one, HWC."""
    return np.clip(np.floor(x[0].permute(1, 2, 0).numpy().astype(np.float64) * 255 + 0.5), 0, 255).astype(np.int64)


def randomize_bn(model: torch.nn.Module, gen: torch.Generator) -> None:
    """Non-trivial BN statistics and affine parameters, so folding is exercised."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.2)
                m.running_var.copy_(torch.rand(m.num_features, generator=gen) * 1.5 + 0.3)
                m.weight.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=gen) * 0.3)


def quantized(model: torch.nn.Module, seed: int, shape=(1, 3, 16, 16), w_bits=8, a_bits=8, first_w_bits=None):
    """Seeded: random BN stats, fold, bits, calibration on 3 random batches; returns (model, x)."""
    gen = torch.Generator().manual_seed(seed)
    randomize_bn(model, gen)
    batches = [torch.rand(2, *shape[1:], generator=gen) for _ in range(3)]
    prepare(model, batches, w_bits, a_bits, first_w_bits)
    return model, torch.rand(*shape, generator=gen)


def assert_bit_exact(model: torch.nn.Module, x: torch.Tensor, name: str = "t") -> dict:
    """export == torch integer forward bit for bit; fake forward within one LSB per layer."""
    net = export(model, x, name)
    ours = int_outputs(model, x)
    gold = run_golden(net, {net.inputs[0].name: image_ints(x)})
    for key, out_name in zip(ours, net.outputs):
        np.testing.assert_array_equal(ours[key][0], gold[out_name])
    for layer, diff in layerwise_lsb(model, x).items():
        assert diff <= 1 + 1e-3, f"{layer}: fake-quant differs from integer by {diff} LSB"
    return gold


__all__ = ["image_ints", "quantized", "assert_bit_exact", "modules"]
