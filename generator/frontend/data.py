"""A synthetic detection data set made on the fly: shapes on textured backgrounds, with boxes.

Image i of a set with seed s is drawn from `np.random.default_rng([s, i])`, so every image is
reproducible by itself and train/validation sets are disjoint by seed. numpy only (no torch),
so the detect command and the benchmark use it too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLASSES = ("circle", "rectangle", "triangle")


@dataclass(frozen=True)
class Sample:
    image: np.ndarray  # (H, W, 3) uint8
    boxes: np.ndarray  # (n, 4) float32 x1, y1, x2, y2 in pixels (x2, y2 exclusive)
    labels: np.ndarray  # (n,) int64 class index into CLASSES


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    kind = rng.integers(4)
    base = rng.uniform(0.15, 0.85, size=3).astype(np.float32)
    if kind == 0:  # gradient
        g = rng.uniform(-0.4, 0.4, size=(2, 3)).astype(np.float32)
        img = base + xx[..., None] * g[0] + yy[..., None] * g[1]
    elif kind == 1:  # stripes
        f, a = rng.uniform(4, 20), rng.uniform(0, np.pi)
        s = np.sin(2 * np.pi * f * (xx * np.cos(a) + yy * np.sin(a)))[..., None]
        img = base + 0.15 * s * rng.uniform(0.5, 1.0, size=3).astype(np.float32)
    elif kind == 2:  # checkerboard
        n = rng.integers(4, 16)
        c = ((np.floor(xx * n) + np.floor(yy * n)) % 2)[..., None]
        img = base + 0.12 * (c - 0.5) * rng.uniform(0.5, 1.0, size=3).astype(np.float32)
    else:  # blotches: upsampled low-resolution noise
        n = int(rng.integers(3, 9))
        low = rng.uniform(-0.2, 0.2, size=(n, n, 3)).astype(np.float32)
        rep = -(-size // n)
        img = base + np.kron(low, np.ones((rep, rep, 1), np.float32))[:size, :size]
    img = img + rng.normal(0, 0.04, size=img.shape).astype(np.float32)
    return np.clip(img, 0, 1)


def _mask(rng: np.random.Generator, cls: int, size: int, cx: float, cy: float, r: float) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    if cls == 0:
        return (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
    if cls == 1:
        ax = r * rng.uniform(0.6, 1.0)
        ay = r * rng.uniform(0.6, 1.0)
        return (np.abs(xx - cx) <= ax) & (np.abs(yy - cy) <= ay)
    # triangle: apex up or down, base 2r, height 2r
    up = rng.random() < 0.5
    t = (yy - (cy - r)) / (2 * r)  # 0 at top, 1 at bottom
    t = t if up else 1 - t
    inside = (t >= 0) & (t <= 1)
    return inside & (np.abs(xx - cx) <= r * t)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def make_sample(seed: int, index: int, size: int = 128, max_objects: int = 3) -> Sample:
    rng = np.random.default_rng([seed, index])
    img = _background(rng, size)
    boxes: list[np.ndarray] = []
    labels: list[int] = []
    for _ in range(int(rng.integers(1, max_objects + 1))):
        for _try in range(10):
            cls = int(rng.integers(len(CLASSES)))
            r = rng.uniform(0.08, 0.22) * size
            cx, cy = rng.uniform(r, size - r, size=2)
            m = _mask(rng, cls, size, cx, cy, r)
            if m.sum() < 16:
                continue
            ys, xs = np.nonzero(m)
            box = np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], np.float32)
            if any(_iou(box, b) > 0.2 for b in boxes):
                continue
            color = rng.uniform(0, 1, size=3).astype(np.float32)
            bg = img[m].mean(axis=0)
            if np.abs(color - bg).max() < 0.35:  # keep every shape visible against its background
                color = np.where(bg > 0.5, bg - 0.45, bg + 0.45).astype(np.float32)
            img[m] = np.clip(color + rng.normal(0, 0.03, size=(int(m.sum()), 3)), 0, 1)
            boxes.append(box)
            labels.append(cls)
            break
    image = np.clip(np.floor(img * 255 + 0.5), 0, 255).astype(np.uint8)
    return Sample(image, np.array(boxes, np.float32).reshape(-1, 4), np.array(labels, np.int64))


class SyntheticShapes:
    """`length` seeded samples of `size` x `size` images; indexable and iterable."""

    def __init__(self, length: int, size: int = 128, seed: int = 0) -> None:
        self.length, self.size, self.seed = length, size, seed

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int) -> Sample:
        if not 0 <= i < self.length:
            raise IndexError(i)
        return make_sample(self.seed, i, self.size)


TRAIN_SEED = 1
VAL_SEED = 2
CALIB_SEED = 3
