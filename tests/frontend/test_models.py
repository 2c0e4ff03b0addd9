"""CoDeNet and HAO: whole-model bit-exact export, thesis figures, zoo and checkpoint plumbing."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from fe_helpers import assert_bit_exact

from generator.errors import AccelgenError, NetworkError
from generator.frontend import codenet, hao, zoo
from generator.frontend.calibrate import prepare
from generator.frontend.export import export
from generator.summary import summarize
from generator.zoo import ZOO, resolve

# Tables 12.3 / 12.5: (GMACs, MB of 4-bit weights)
THESIS = {"codenet-a": (0.29, 0.76), "codenet-b": (0.29, 0.76), "codenet-c": (1.14, 0.76),
          "codenet-d": (3.54, 2.90), "codenet-e": (3.58, 2.90)}


def small(name: str, size: int, seed: int = 0, **changes) -> torch.nn.Module:
    cfg = dataclasses.replace(codenet.CONFIGS[name], input_size=size, **changes)
    torch.manual_seed(seed)
    model = codenet.CoDeNet(cfg)
    images = zoo.calibration_images(size, 4)
    zoo.recalibrate_bn(model, images)
    return prepare(model, zoo.batches(images), cfg.w_bits, cfg.a_bits, cfg.first_w_bits)


def test_codenet_a_reduced_resolution_bit_exact():
    """Whole codenet-a (1x width, all 16 ShuffleNetV2 units, conv5, 3 deformable blocks, 3 heads)
    at 64x64: golden on the exported network == torch integer forward, every output."""
    model = small("codenet-a", 64)
    x = zoo.calibration_images(64, 1, seed=99)
    gold = assert_bit_exact(model, x, "codenet_a_64")
    net = export(model, x, "codenet_a_64")
    ops = {ly.OP for ly in net.layers}
    assert ops == {"conv", "dwconv", "deform_dwconv", "slice", "concat", "shuffle", "upsample"}
    assert gold["heads_heatmap_out"].shape == (16, 16, 20)
    assert np.unique(gold["heads_heatmap_out"]).size > 5


def test_codenet_b_stem_maxpool_bit_exact():
    model = small("codenet-b", 64, seed=1)
    net = export(model, zoo.calibration_images(64, 1), "b")
    assert net.layers[1].OP == "maxpool"
    assert_bit_exact(model, zoo.calibration_images(64, 1, seed=5))


def test_codenet_a_matches_thesis_figures():
    """`accelgen info codenet-a` lands near Table 12.3: 0.29 GMACs, 0.76 MB of 4-bit weights."""
    s = summarize(ZOO["codenet-a"](0))["totals"]
    assert abs(s["macs"] / 1e9 - 0.29) / 0.29 < 0.03
    assert abs(s["weight_bytes"] / 1e6 - 0.76) / 0.76 < 0.05


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(THESIS))
def test_codenet_configs_match_thesis(name):
    s = summarize(ZOO[name](0))["totals"]
    macs, mb = THESIS[name]
    assert abs(s["macs"] / 1e9 - macs) / macs < 0.04
    assert abs(s["weight_bytes"] / 1e6 - mb) / mb < 0.05


def test_configs_follow_the_table():
    c = codenet.CONFIGS
    assert [c[f"codenet-{n}"].input_size for n in "abcde"] == [256, 256, 512, 512, 512]
    assert [c[f"codenet-{n}"].stem for n in "abcde"] == ["s4", "s2pool", "s4", "s4", "s2pool"]
    assert c["codenet-a"].stages == (116, 232, 464) and c["codenet-d"].stages == (244, 488, 976)
    assert all((c[f"codenet-{n}"].w_bits, c[f"codenet-{n}"].a_bits) == (4, 8) for n in "abcde")


def test_hao_member_bit_exact_with_residual_and_global_pool():
    cfg = dataclasses.replace(hao.CONFIGS["hao-s"], input_size=64, num_classes=10, head=64)
    torch.manual_seed(0)
    model = hao.HaoNet(cfg)
    images = zoo.calibration_images(64, 4)
    zoo.recalibrate_bn(model, images)
    from generator.frontend import modules
    from generator.frontend.calibrate import calibrate

    modules.fold(model)
    calibrate(model, zoo.batches(images))
    net = export(model, images[:1], "hao")
    ops = [ly.OP for ly in net.layers]
    assert "add" in ops and ops[-2:] == ["dwconv", "conv"]
    assert net.by_name["pool"].kernel == cfg.final_size
    assert {ly.weight_bits for ly in net.layers if hasattr(ly, "weight_bits")} == {4, 8}
    assert_bit_exact(model, images[1:2])


def test_hao_configs_use_the_subgraph_template():
    """Every block is a use of {1x1 conv, 3x3 depthwise, 1x1 conv} with the expand possibly skipped."""
    for cfg in hao.CONFIGS.values():
        for sg in hao.HaoNet(cfg).blocks:
            if sg.expand is not None:
                assert sg.expand.kernel == 1 and not sg.expand.depthwise
            assert sg.dw.depthwise and sg.dw.kernel == 3
            assert sg.project.kernel == 1 and not sg.project.depthwise
    assert {b.w_bits for b in hao.CONFIGS["hao-m"].blocks} == {6, 7}


def test_zoo_names_and_lazy_torch():
    for name in ("codenet-a", "codenet-e", "codenet-demo", "hao-s", "hao-m", "hao-l"):
        assert name in ZOO
    import subprocess
    import sys

    code = "import sys, generator.zoo, generator.cli; print('torch' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "False", r.stderr


def test_zoo_seeded_and_deterministic():
    a, b = ZOO["codenet-demo"](3), ZOO["codenet-demo"](3)
    c = ZOO["codenet-demo"](4)
    key = "heads_heatmap_out.weight"
    np.testing.assert_array_equal(a.arrays[key], b.arrays[key])
    assert not np.array_equal(a.arrays[key], c.arrays[key])


def test_resolve_checkpoint_errors(tmp_path):
    with pytest.raises(NetworkError, match="takes no checkpoint"):
        resolve("tiny", checkpoint=str(tmp_path / "x.pt"))
    with pytest.raises(AccelgenError, match="file not found"):
        resolve("codenet-demo", checkpoint=str(tmp_path / "x.pt"))
    (tmp_path / "bad.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(AccelgenError, match="not a readable torch checkpoint"):
        resolve("codenet-demo", checkpoint=str(tmp_path / "bad.pt"))
