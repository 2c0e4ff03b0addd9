"""CenterNet decode + NMS in numpy only (runs on the board's ARM after the accelerator).

Inputs are the three head outputs of one image, (H, W, C) arrays at output stride R, either
float or the accelerator's integers with their scales (`dequantize`). Peaks are heatmap values
not smaller than their eight neighbours (a 3x3 max filter), the top `k` above `score_min`
become boxes (x + dx -/+ w/2, y + dy -/+ h/2) * R in input pixels, then class-wise NMS.
"""

from __future__ import annotations

import numpy as np


def dequantize(q: np.ndarray, scale: float) -> np.ndarray:
    return np.asarray(q, dtype=np.float64) * float(scale)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def max_filter3(x: np.ndarray) -> np.ndarray:
    """3x3 maximum over H, W of an (H, W, C) array (edges padded with -inf)."""
    h, w = x.shape[:2]
    p = np.pad(x, ((1, 1), (1, 1), (0, 0)), constant_values=-np.inf)
    out = np.full(x.shape, -np.inf)
    for i in range(3):
        for j in range(3):
            out = np.maximum(out, p[i:i + h, j:j + w])
    return out


def iou_one_to_many(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    ix = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    iy = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = ix * iy
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-12)


def nms(boxes: np.ndarray, scores: np.ndarray, labels: np.ndarray, iou: float = 0.5) -> np.ndarray:
    """Indices kept by greedy class-wise non-maximum suppression, highest score first."""
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    suppressed = np.zeros(len(order), bool)
    for a, i in enumerate(order):
        if suppressed[a]:
            continue
        keep.append(int(i))
        rest = order[a + 1:]
        same = labels[rest] == labels[i]
        over = iou_one_to_many(boxes[i], boxes[rest]) > iou
        suppressed[a + 1:] |= same & over
    return np.array(keep, dtype=np.int64)


def decode(heatmap: np.ndarray, size: np.ndarray, offset: np.ndarray, stride: int = 4, k: int = 100,
           score_min: float = 0.1, nms_iou: float = 0.5, logits: bool = True):
    """(boxes (n, 4) x1 y1 x2 y2 in input pixels, scores (n,), labels (n,)), best first.

    heatmap (H, W, C) logits (or probabilities with logits=False); size (H, W, 2) box (w, h)
    in output cells; offset (H, W, 2) centre (dx, dy) in output cells.
    """
    scores = sigmoid(heatmap) if logits else np.asarray(heatmap, dtype=np.float64)
    peaks = (scores >= max_filter3(scores)) & (scores >= score_min)
    ys, xs, cs = np.nonzero(peaks)
    s = scores[ys, xs, cs]
    top = np.argsort(-s, kind="stable")[:k]
    ys, xs, cs, s = ys[top], xs[top], cs[top], s[top]
    wh = np.maximum(np.asarray(size, dtype=np.float64)[ys, xs], 0)
    off = np.asarray(offset, dtype=np.float64)[ys, xs]
    cx, cy = xs + off[:, 0], ys + off[:, 1]
    boxes = np.stack([cx - wh[:, 0] / 2, cy - wh[:, 1] / 2, cx + wh[:, 0] / 2, cy + wh[:, 1] / 2], axis=1) * stride
    boxes = boxes.reshape(-1, 4)
    keep = nms(boxes, s, cs, nms_iou) if len(s) else np.zeros(0, np.int64)
    return boxes[keep], s[keep], cs[keep].astype(np.int64)
