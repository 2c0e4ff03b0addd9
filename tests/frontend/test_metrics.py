"""AP50 on hand-made cases (values worked out by hand in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from generator.frontend.metrics import ap_from_pr, average_precision, box_iou

B = np.array([[0, 0, 10, 10]], np.float32)


def det(boxes, scores, labels):
    return np.array(boxes, np.float32).reshape(-1, 4), np.array(scores, np.float32), np.array(labels)


def test_iou_hand_values():
    assert box_iou(B, [[0, 0, 10, 10]])[0, 0] == 1.0
    assert box_iou(B, [[5, 0, 15, 10]])[0, 0] == pytest.approx(50 / 150)
    assert box_iou(B, [[10, 10, 20, 20]])[0, 0] == 0.0


def test_perfect_detection_is_one():
    ap, per = average_precision([det(B, [0.9], [0])], [(B, np.array([0]))], 1)
    assert ap == 1.0 and per == [1.0]


def test_no_detections_is_zero_and_class_without_truth_is_skipped():
    ap, per = average_precision([det([], [], [])], [(B, np.array([0]))], 2)
    assert ap == 0.0 and per[0] == 0.0 and math.isnan(per[1])


def test_false_positive_ranked_first():
    # ranks: FP (0.9), TP (0.8): precision at recall 1 is 1/2 -> AP = 0.5
    dets = det([[50, 50, 60, 60], [0, 0, 10, 10]], [0.9, 0.8], [0, 0])
    ap, _ = average_precision([dets], [(B, np.array([0]))], 1)
    assert ap == pytest.approx(0.5)


def test_duplicate_is_false_positive_and_tp_after_fp_interpolates():
    # two truths; ranks: TP(a), duplicate of a (FP), TP(b)
    # recall/precision: (0.5, 1), (0.5, 0.5), (1, 2/3) -> envelope 1 on [0, .5], 2/3 on (.5, 1]
    # AP = 0.5 * 1 + 0.5 * 2/3 = 0.8333
    gt = np.array([[0, 0, 10, 10], [20, 20, 30, 30]], np.float32)
    dets = det([[0, 0, 10, 10], [0, 0, 10, 9], [20, 20, 30, 30]], [0.9, 0.8, 0.7], [0, 0, 0])
    ap, _ = average_precision([dets], [(gt, np.array([0, 0]))], 1)
    assert ap == pytest.approx(0.5 + 0.5 * 2 / 3)


def test_iou_threshold_and_wrong_class():
    # IoU of [0,0,10,10] and [4,0,14,10] is 60/140 < 0.5: a miss; right box, wrong class: a miss
    dets = det([[4, 0, 14, 10], [0, 0, 10, 10]], [0.9, 0.8], [0, 1])
    ap, per = average_precision([dets], [(B, np.array([0]))], 2)
    assert per[0] == 0.0 and math.isnan(per[1]) and ap == 0.0


def test_multiple_images_and_classes_mean():
    # image 1: class 0 found; image 2: class 1 missed (only a far box) -> mean of 1 and 0
    d1 = det(B, [0.5], [0])
    d2 = det([[80, 80, 90, 90]], [0.9], [1])
    ap, per = average_precision([d1, d2], [(B, np.array([0])), (B, np.array([1]))], 2)
    assert per == [1.0, 0.0] and ap == 0.5


def test_ap_from_pr_direct():
    assert ap_from_pr(np.array([1, 0, 1, 0]), 4) == pytest.approx(0.25 + 0.25 * 2 / 3)
