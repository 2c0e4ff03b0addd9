"""Atomic file output: a failed command never leaves a half-written file behind.

Writers stage into a temporary file in the destination directory and rename it into place only
when everything succeeded (rename is atomic on POSIX within one file system).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np


@contextlib.contextmanager
def staged(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to `path`; move it onto `path` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json(path: str | Path, data: Any) -> None:
    with staged(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2) + "\n")


def write_npz(path: str | Path, arrays: dict[str, np.ndarray]) -> None:
    with staged(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)


def read_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Arrays by key; pickles are refused (allow_pickle=False)."""
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}
