"""Draw boxes on an RGB image and write a PNG, with numpy and the standard library only."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

PALETTE = np.array([[230, 25, 75], [60, 180, 75], [0, 130, 200], [245, 130, 48], [145, 30, 180],
                    [70, 240, 240], [240, 50, 230], [210, 245, 60]], np.uint8)


def draw_boxes(image: np.ndarray, boxes: np.ndarray, labels: np.ndarray, thickness: int = 1,
               scale: int = 1) -> np.ndarray:
    """Copy of `image` (H, W, 3) uint8, nearest-upscaled by `scale`, with box outlines per label."""
    img = np.asarray(image, np.uint8).repeat(scale, 0).repeat(scale, 1).copy()
    h, w = img.shape[:2]
    for box, lab in zip(np.asarray(boxes, np.float64).reshape(-1, 4), np.asarray(labels).reshape(-1)):
        x1, y1, x2, y2 = (int(round(v * scale)) for v in box)
        x1, x2 = max(0, min(x1, w - 1)), max(0, min(x2 - 1, w - 1))
        y1, y2 = max(0, min(y1, h - 1)), max(0, min(y2 - 1, h - 1))
        c = PALETTE[int(lab) % len(PALETTE)]
        t = thickness
        img[y1:y1 + t, x1:x2 + 1] = c
        img[max(y2 - t + 1, 0):y2 + 1, x1:x2 + 1] = c
        img[y1:y2 + 1, x1:x1 + t] = c
        img[y1:y2 + 1, max(x2 - t + 1, 0):x2 + 1] = c
    return img


def png_bytes(image: np.ndarray) -> bytes:
    """8-bit RGB PNG of an (H, W, 3) uint8 array."""
    img = np.ascontiguousarray(image, np.uint8)
    h, w = img.shape[:2]
    raw = b"".join(b"\x00" + img[y].tobytes() for y in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def write_png(path: str | Path, image: np.ndarray) -> None:
    Path(path).write_bytes(png_bytes(image))
