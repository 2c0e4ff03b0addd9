"""AP50 of the shipped trained demo detector (codenet-demo) on the synthetic validation set:
float vs w8a8 vs w4a8. Quantised numbers use the integer-only forward, whose arithmetic is the
exported network's (bit-exact with the golden model, checked here on a few images)."""

from __future__ import annotations

import copy
import time

import numpy as np


def run(val_images: int = 200) -> dict:
    import torch

    from generator.frontend import zoo
    from generator.frontend.checkpoint import load_checkpoint
    from generator.frontend.export import export, int_outputs
    from generator.frontend.paths import DEMO_CHECKPOINT
    from generator.frontend.train import Pool, evaluate, quantize_for_qat, train_set, val_set
    from generator.reference import run_golden

    torch.set_num_threads(1)
    name = "codenet-demo"
    doc = load_checkpoint(DEMO_CHECKPOINT)
    cfg = zoo.build_model(name, doc["config"]).cfg
    val = val_set(cfg.input_size, val_images)
    t0 = time.perf_counter()
    float_model = zoo.build_model(name, doc["config"])
    float_model.load_state_dict(doc["float"])
    float_model.eval()
    rows = {"float": evaluate(float_model, val, "float", cfg.num_classes)}
    pool = Pool(train_set(cfg.input_size, 256), cfg.num_classes)
    for wb in (8, 4):  # post-training quantisation of the float weights
        m = copy.deepcopy(float_model)
        quantize_for_qat(m, pool, wb, 8, cfg.first_w_bits)
        rows[f"w{wb}a8_ptq"] = evaluate(m, val, "int", cfg.num_classes)
    qat = zoo.quantized_model(name, checkpoint=str(DEMO_CHECKPOINT), w_bits=4, a_bits=8)
    rows["w4a8_qat"] = evaluate(qat, val, "int", cfg.num_classes)
    # the exported integer network gives the same outputs as the integer forward
    x = zoo.calibration_images(cfg.input_size, 3, seed=77)
    net = export(qat, x[:1], "codenet_demo")
    exact = True
    for i in range(3):
        ours = int_outputs(qat, x[i:i + 1])
        img = np.clip(np.floor(x[i].permute(1, 2, 0).numpy().astype(np.float64) * 255 + 0.5), 0, 255).astype(np.int64)
        gold = run_golden(net, {net.inputs[0].name: img})
        exact &= all(np.array_equal(ours[k][0], gold[n]) for k, n in zip(ours, net.outputs))
    summary = (f"codenet-demo AP50 float {rows['float']:.3f}, w8a8 {rows['w8a8_ptq']:.3f}, "
               f"w4a8 {rows['w4a8_qat']:.3f} (QAT; PTQ {rows['w4a8_ptq']:.3f}); export bit-exact: {exact}")
    return {"ap50": {k: round(v, 4) for k, v in rows.items()}, "val_images": val_images,
            "bit_exact": exact, "eval_seconds": round(time.perf_counter() - t0, 1),
            "training": doc.get("meta", {}), "summary": summary}
