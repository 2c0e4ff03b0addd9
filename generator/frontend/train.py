"""Training CoDeNet on the synthetic shapes: CenterNet targets and losses, float training with
BN, then HAWQ-V3-style quantisation-aware fine-tuning (BN frozen and folded, STE, learned
activation ranges), AP50 evaluation through host/decode.py. CPU by default, GPU when present.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from generator.frontend import modules
from generator.frontend.calibrate import prepare
from generator.frontend.data import TRAIN_SEED, VAL_SEED, Sample, SyntheticShapes
from generator.frontend.export import mode
from generator.frontend.metrics import average_precision
from host.decode import decode

log = logging.getLogger(__name__)


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


# ---- targets --------------------------------------------------------------------------------
def gaussian_radius(h: float, w: float, min_overlap: float = 0.7) -> float:
    """CenterNet's radius: the largest corner shift keeping IoU >= min_overlap (3 cases)."""
    a1, b1 = 1, h + w
    c1 = w * h * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + math.sqrt(b1**2 - 4 * a1 * c1)) / 2
    a2, b2 = 4, 2 * (h + w)
    c2 = (1 - min_overlap) * w * h
    r2 = (b2 + math.sqrt(b2**2 - 4 * a2 * c2)) / 2
    a3, b3 = 4 * min_overlap, -2 * min_overlap * (h + w)
    c3 = (min_overlap - 1) * w * h
    r3 = (b3 + math.sqrt(b3**2 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def targets(sample: Sample, num_classes: int, stride: int = 4) -> dict[str, np.ndarray]:
    """heatmap (C, h, w) Gaussian peaks, size/offset (2, h, w) and mask (h, w) at the centres."""
    size = sample.image.shape[0]
    h = w = size // stride
    heat = np.zeros((num_classes, h, w), np.float32)
    wh = np.zeros((2, h, w), np.float32)
    off = np.zeros((2, h, w), np.float32)
    mask = np.zeros((h, w), np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    for box, lab in zip(sample.boxes / stride, sample.labels):
        bw, bh = box[2] - box[0], box[3] - box[1]
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        ix, iy = min(int(cx), w - 1), min(int(cy), h - 1)
        r = max(0, int(gaussian_radius(bh, bw)))
        sigma = (2 * r + 1) / 6
        g = np.exp(-((xx - ix) ** 2 + (yy - iy) ** 2) / (2 * sigma * sigma))
        g[np.abs(xx - ix) > r] = 0
        g[np.abs(yy - iy) > r] = 0
        heat[lab] = np.maximum(heat[lab], g)
        wh[:, iy, ix] = (bw, bh)
        off[:, iy, ix] = (cx - ix, cy - iy)
        mask[iy, ix] = 1
    return {"heatmap": heat, "size": wh, "offset": off, "mask": mask}


def focal_loss(logits: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced pixel-wise focal loss (alpha 2, beta 4)."""
    p = torch.sigmoid(logits.float()).clamp(1e-4, 1 - 1e-4)
    pos = gt.eq(1).float()
    neg = 1 - pos
    pos_loss = torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = torch.log(1 - p) * p**2 * (1 - gt) ** 4 * neg
    n = pos.sum()
    return -(pos_loss.sum() + neg_loss.sum()) / torch.clamp(n, min=1)


def detection_loss(out: dict[str, torch.Tensor], tgt: dict[str, torch.Tensor]) -> torch.Tensor:
    m = tgt["mask"].unsqueeze(1)
    n = torch.clamp(m.sum(), min=1)
    size_l = (F.l1_loss(out["size"] * m, tgt["size"] * m, reduction="sum")) / n
    off_l = (F.l1_loss(out["offset"] * m, tgt["offset"] * m, reduction="sum")) / n
    return focal_loss(out["heatmap"], tgt["heatmap"]) + 0.1 * size_l + off_l


# ---- data -----------------------------------------------------------------------------------
class Pool:
    """A fixed pool of pre-generated samples and targets, batched with random flips."""

    def __init__(self, data: SyntheticShapes, num_classes: int, seed: int = 0) -> None:
        samples = [data[i] for i in range(len(data))]
        self.images = torch.from_numpy(np.stack([s.image for s in samples])).permute(0, 3, 1, 2).contiguous()
        tg = [targets(s, num_classes) for s in samples]
        self.targets = {k: torch.from_numpy(np.stack([t[k] for t in tg])) for k in tg[0]}
        self.gen = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return len(self.images)

    def batch(self, n: int, device: torch.device) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        idx = torch.randint(0, len(self), (n,), generator=self.gen)
        x = self.images[idx].float() / 255
        t = {k: v[idx].clone() for k, v in self.targets.items()}
        flip = torch.rand(n, generator=self.gen) < 0.5
        if flip.any():  # horizontal flip: mirror every map; the x offset becomes 1 - dx
            x[flip] = x[flip].flip(-1)
            for k in t:
                t[k][flip] = t[k][flip].flip(-1)
            fx = flip.view(-1, 1, 1) & (t["mask"] > 0)
            t["offset"][:, 0] = torch.where(fx, 1 - t["offset"][:, 0], t["offset"][:, 0])
        return x.to(device), {k: v.to(device) for k, v in t.items()}


# ---- loops ----------------------------------------------------------------------------------
@dataclass
class TrainLog:
    steps: int
    seconds: float
    first_loss: float
    last_loss: float


def fit(model: nn.Module, pool: Pool, steps: int, lr: float, qmode: str, batch: int = 32,
        device: torch.device | None = None, progress: bool = True, desc: str = "train") -> TrainLog:
    """Adam with cosine decay for `steps` steps in mode `qmode` (float or fake)."""
    from tqdm import tqdm

    device = device or default_device()
    model.to(device)
    modules.set_mode(model, qmode)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / max(steps, 1))))
    t0 = time.perf_counter()
    losses: list[float] = []
    bar = tqdm(range(steps), desc=desc, disable=not progress, leave=False)
    for _ in bar:
        x, t = pool.batch(batch, device)
        out = {k: v.x for k, v in model(x).items()}
        loss = detection_loss(out, t)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
        if len(losses) % 10 == 0:
            bar.set_postfix(loss=f"{np.mean(losses[-10:]):.3f}")
    model.eval()
    first = float(np.mean(losses[:10])) if losses else math.nan
    last = float(np.mean(losses[-10:])) if losses else math.nan
    return TrainLog(steps, time.perf_counter() - t0, first, last)


def predict(model: nn.Module, images: np.ndarray, qmode: str, batch: int = 16,
            score_min: float = 0.05) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Detections per image (decoded with host.decode) from the float, fake or int forward."""
    dev = next(model.parameters()).device if qmode != "int" else torch.device("cpu")
    if qmode == "int":
        model.cpu()
    dets = []
    with torch.no_grad(), mode(model, qmode):
        for i in range(0, len(images), batch):
            x = torch.from_numpy(images[i:i + batch]).permute(0, 3, 1, 2).float().to(dev) / 255
            out = model(x)
            real = {k: (v.x * v.scale if qmode == "int" else v.x) for k, v in out.items()}
            arrs = {k: v.double().permute(0, 2, 3, 1).cpu().numpy() for k, v in real.items()}
            for j in range(x.shape[0]):
                dets.append(decode(arrs["heatmap"][j], arrs["size"][j], arrs["offset"][j], score_min=score_min))
    return dets


def evaluate(model: nn.Module, data: SyntheticShapes, qmode: str, num_classes: int) -> float:
    samples = [data[i] for i in range(len(data))]
    images = np.stack([s.image for s in samples])
    dets = predict(model, images, qmode)
    return average_precision(dets, [(s.boxes, s.labels) for s in samples], num_classes)[0]


def quantize_for_qat(model: nn.Module, pool: Pool, w_bits: int, a_bits: int, first_w_bits: int = 8,
                     calib_batches: int = 8) -> None:
    """Freeze BN and fold it, set bits, calibrate on training images, make ranges learnable."""
    gen = torch.Generator().manual_seed(0)
    dev = next(model.parameters()).device
    n = min(calib_batches, -(-len(pool) // 16))
    batches = [pool.images[torch.randint(0, len(pool), (16,), generator=gen)].float().to(dev) / 255
               for _ in range(n)]
    prepare(model, batches, w_bits, a_bits, first_w_bits)
    for a in modules.act_quants(model):
        a.learn()


def state_for_checkpoint(model: nn.Module) -> dict[str, torch.Tensor]:
    for a in modules.act_quants(model):
        a.freeze()
    return {k: v.detach().cpu() for k, v in model.state_dict().items()}


def val_set(size: int, n: int = 200) -> SyntheticShapes:
    return SyntheticShapes(n, size, VAL_SEED)


def train_set(size: int, n: int) -> SyntheticShapes:
    return SyntheticShapes(n, size, TRAIN_SEED)


def train_codenet(name: str, out: str | None, float_steps: int = 1500, qat_steps: int = 300, batch: int = 32,
                  lr: float = 3e-3, qat_lr: float = 5e-4, w_bits: int = 4, a_bits: int = 8,
                  train_images: int = 3000, val_images: int = 200, seed: int = 0,
                  device: torch.device | None = None, progress: bool = True) -> dict:
    """The demo recipe: float training, then w{w_bits}a{a_bits} QAT; AP50 of float, w8a8 and
    w4a8 post-training quantisation and of the QAT model (integer-only forward, the exported
    network's arithmetic); writes a checkpoint to `out` when given. Returns the measurements."""
    import copy

    from generator.frontend import codenet
    from generator.frontend.checkpoint import save_checkpoint

    cfg = codenet.CONFIGS[name]
    device = device or default_device()
    torch.manual_seed(seed)
    t0 = time.perf_counter()
    pool = Pool(train_set(cfg.input_size, train_images), cfg.num_classes, seed)
    val = val_set(cfg.input_size, val_images)
    model = codenet.CoDeNet(cfg)
    flog = fit(model, pool, float_steps, lr, "float", batch, device, progress, "float")
    log.info("float training: %d steps in %.0f s, loss %.3f -> %.3f", flog.steps, flog.seconds, flog.first_loss, flog.last_loss)
    float_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    result: dict = {"float_steps": float_steps, "qat_steps": qat_steps, "batch": batch,
                    "train_images": train_images, "val_images": val_images,
                    "float_loss": [flog.first_loss, flog.last_loss]}
    result["ap50_float"] = evaluate(model.to(device), val, "float", cfg.num_classes)
    for wb, ab in ((8, 8), (w_bits, a_bits)):
        ptq = copy.deepcopy(model).to(device)
        quantize_for_qat(ptq, pool, wb, ab, cfg.first_w_bits)
        result[f"ap50_w{wb}a{ab}_ptq"] = evaluate(ptq, val, "int", cfg.num_classes)
    quantize_for_qat(model.to(device), pool, w_bits, a_bits, cfg.first_w_bits)
    qlog = fit(model, pool, qat_steps, qat_lr, "fake", batch, device, progress, f"QAT w{w_bits}a{a_bits}")
    qstate = state_for_checkpoint(model)
    result["qat_loss"] = [qlog.first_loss, qlog.last_loss]
    result[f"ap50_w{w_bits}a{a_bits}_qat_fake"] = evaluate(model, val, "fake", cfg.num_classes)
    result[f"ap50_w{w_bits}a{a_bits}_qat"] = evaluate(model, val, "int", cfg.num_classes)
    result["train_seconds"] = round(flog.seconds + qlog.seconds, 1)
    result["total_seconds"] = round(time.perf_counter() - t0, 1)
    result["device"] = str(device)
    if out is not None:
        save_checkpoint(out, name, "codenet", cfg.to_dict(), float_state,
                        {"w_bits": w_bits, "a_bits": a_bits, "first_w_bits": cfg.first_w_bits, "state": qstate},
                        meta=result)
    return result
