"""ZeroQ distilled data: the BN-statistics loss falls far below that of random inputs, and
calibration ranges from distilled data are closer to those from real images than the ranges
from the paper's baseline, zero-mean unit-variance Gaussian inputs."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import torch

from generator.frontend import codenet, modules, zoo
from generator.frontend.calibrate import calibrate
from generator.frontend.distill import bn_loss, distill


def _model():
    cfg = dataclasses.replace(codenet.CONFIGS["codenet-demo"], input_size=64)
    torch.manual_seed(0)
    m = codenet.CoDeNet(cfg)
    zoo.recalibrate_bn(m, zoo.calibration_images(64, 8))  # "trained" statistics: synthetic images
    return m


def _alphas(model, images):
    m = copy.deepcopy(model)
    modules.fold(m)
    calibrate(m, [images])
    return np.array([float(a.alpha) for a in modules.act_quants(m) if a.fixed_scale is None])


def test_distilled_data_matches_bn_statistics():
    model = _model()
    g = torch.Generator().manual_seed(1)
    gauss = torch.randn(4, 3, 64, 64, generator=g)
    uniform = torch.rand(4, 3, 64, 64, generator=g)
    x = distill(model, n=4, size=64, steps=100, lr=0.05, seed=1)
    assert x.shape == (4, 3, 64, 64) and 0 <= float(x.min()) and float(x.max()) <= 1
    with torch.no_grad():
        after = float(bn_loss(model, x))
        assert after < 0.01 * float(bn_loss(model, gauss))
        assert after < 0.1 * float(bn_loss(model, uniform))
    real = _alphas(model, zoo.calibration_images(64, 4, seed=11))
    err_distilled = np.abs(np.log(_alphas(model, x) / real)).mean()
    err_gauss = np.abs(np.log(_alphas(model, gauss) / real)).mean()
    assert err_distilled < 0.6 * err_gauss, (err_distilled, err_gauss)
