"""AP50: VOC-style average precision at IoU 0.5 (all-point interpolation), mean over classes.

Per class, detections of all images are sorted by score (stable); each is a true positive if
its best-overlapping ground-truth box of its class and image has IoU >= 0.5 and is not yet
matched (PASCAL VOC's rule: a duplicate of a matched box is a false positive), else a false
positive. AP is the area under the precision envelope
(precision made monotonically non-increasing) over recall. Classes without ground truth are
left out of the mean. numpy only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU (len(a), len(b)) of x1 y1 x2 y2 boxes."""
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    ix = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    iy = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = ix * iy
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-12)


def ap_from_pr(tp: np.ndarray, n_gt: int) -> float:
    """All-point interpolated AP of a score-sorted TP (1) / FP (0) sequence."""
    if n_gt == 0:
        return float("nan")
    if len(tp) == 0:
        return 0.0
    ctp = np.cumsum(tp)
    cfp = np.cumsum(1 - tp)
    recall = ctp / n_gt
    precision = ctp / np.maximum(ctp + cfp, 1e-12)
    r = np.concatenate([[0.0], recall, [1.0]])
    p = np.concatenate([[0.0], precision, [0.0]])
    p = np.maximum.accumulate(p[::-1])[::-1]
    idx = np.nonzero(r[1:] != r[:-1])[0]
    return float(np.sum((r[idx + 1] - r[idx]) * p[idx + 1]))


Detections = tuple[np.ndarray, np.ndarray, np.ndarray]  # boxes (n, 4), scores (n,), labels (n,)
Truth = tuple[np.ndarray, np.ndarray]  # boxes (m, 4), labels (m,)


def average_precision(dets: Sequence[Detections], gts: Sequence[Truth], num_classes: int,
                      iou: float = 0.5) -> tuple[float, list[float]]:
    """(mAP over classes with ground truth, per-class AP (nan where a class has none))."""
    if len(dets) != len(gts):
        raise ValueError(f"{len(dets)} detection lists for {len(gts)} images")
    per_class: list[float] = []
    for c in range(num_classes):
        records = []  # (score, image, box)
        n_gt = 0
        gt_boxes = []
        for i, ((db, ds, dl), (gb, gl)) in enumerate(zip(dets, gts)):
            gl = np.asarray(gl).reshape(-1)
            g = np.asarray(gb, np.float64).reshape(-1, 4)[gl == c]
            gt_boxes.append(g)
            n_gt += len(g)
            dl = np.asarray(dl).reshape(-1)
            sel = dl == c
            for s, b in zip(np.asarray(ds).reshape(-1)[sel], np.asarray(db, np.float64).reshape(-1, 4)[sel]):
                records.append((float(s), i, b))
        order = sorted(range(len(records)), key=lambda k: -records[k][0])
        used = [np.zeros(len(g), bool) for g in gt_boxes]
        tp = np.zeros(len(records))
        for rank, k in enumerate(order):
            _, i, b = records[k]
            g = gt_boxes[i]
            if len(g) == 0:
                continue
            ious = box_iou(b[None], g)[0]
            j = int(np.argmax(ious))
            if ious[j] >= iou and not used[i][j]:
                used[i][j] = True
                tp[rank] = 1
        per_class.append(ap_from_pr(tp, n_gt))
    valid = [a for a in per_class if not np.isnan(a)]
    return (float(np.mean(valid)) if valid else 0.0), per_class
