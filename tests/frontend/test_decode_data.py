"""host/decode.py (numpy-only CenterNet decode + NMS), host/draw.py and the synthetic data set."""

from __future__ import annotations

import ast
import pathlib
import sys
import zlib

import numpy as np

from generator.frontend.data import CLASSES, SyntheticShapes, make_sample
from generator.frontend.train import targets
from host.decode import decode, max_filter3, nms
from host.draw import draw_boxes, png_bytes

HOST = pathlib.Path(__file__).resolve().parents[2] / "host"


def test_host_imports_only_numpy_and_stdlib():
    """host/ runs on the board: numpy, the standard library, itself, and pynq (the board device)."""
    allowed = set(sys.stdlib_module_names) | {"numpy", "host", "pynq"}
    for f in HOST.rglob("*.py"):
        tree = ast.parse(f.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            for n in names:
                root = n.split(".")[0]
                assert root in allowed, f"{f.name} imports {n}"


def test_decode_recovers_targets():
    """Targets encoded from boxes decode back to the same boxes (heatmap peaks = centres)."""
    s = make_sample(7, 0, 128)
    t = targets(s, len(CLASSES))
    boxes, scores, labels = decode(t["heatmap"].transpose(1, 2, 0), t["size"].transpose(1, 2, 0),
                                   t["offset"].transpose(1, 2, 0), 4, score_min=0.99, logits=False)
    order = np.lexsort((s.boxes[:, 0], s.labels))
    got = np.lexsort((boxes[:, 0], labels))
    np.testing.assert_allclose(boxes[got], s.boxes[order], atol=1e-4)
    np.testing.assert_array_equal(labels[got], s.labels[order])


def test_peak_needs_eight_neighbours_and_nms():
    h = np.zeros((5, 5, 1))
    h[2, 2, 0], h[2, 3, 0] = 0.9, 0.8  # the 0.8 is next to a higher peak: not a peak
    peaks = (h >= max_filter3(h)) & (h > 0.5)
    assert np.argwhere(peaks).tolist() == [[2, 2, 0]]
    b, s, c = decode(h, np.full((5, 5, 2), 2.0), np.zeros((5, 5, 2)), 4, score_min=0.5, logits=False)
    assert len(b) == 1 and s[0] == 0.9
    boxes = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [0, 0, 10, 10], [50, 50, 60, 60]], float)
    keep = nms(boxes, np.array([0.9, 0.8, 0.7, 0.6]), np.array([0, 0, 1, 0]), 0.5)
    assert keep.tolist() == [0, 2, 3]  # the overlapping same-class box goes, other class stays


def test_dataset_seeded_and_boxes_tight():
    a, b = SyntheticShapes(5, 96, seed=3), SyntheticShapes(5, 96, seed=3)
    for i in range(5):
        np.testing.assert_array_equal(a[i].image, b[i].image)
        np.testing.assert_array_equal(a[i].boxes, b[i].boxes)
    assert not np.array_equal(a[0].image, SyntheticShapes(5, 96, seed=4)[0].image)
    s = a[0]
    assert s.image.dtype == np.uint8 and s.image.shape == (96, 96, 3)
    assert len(s.boxes) >= 1 and (s.boxes[:, 2] > s.boxes[:, 0]).all() and s.boxes.max() <= 96
    assert set(np.concatenate([a[i].labels for i in range(5)]).tolist()) <= {0, 1, 2}


def test_png_is_valid_and_boxes_drawn():
    img = np.zeros((8, 8, 3), np.uint8)
    out = draw_boxes(img, np.array([[1, 1, 7, 7]]), np.array([0]), scale=2)
    assert out.shape == (16, 16, 3) and (out[2, 2:14] != 0).all() and (out[8, 8] == 0).all()
    data = png_bytes(out)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    idat = data[data.index(b"IDAT") + 4:data.index(b"IEND") - 8]
    raw = zlib.decompress(idat)
    assert len(raw) == 16 * (1 + 16 * 3)
