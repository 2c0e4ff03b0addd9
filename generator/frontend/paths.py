"""Files shipped with the front end."""

from __future__ import annotations

from pathlib import Path

CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints"
DEMO_CHECKPOINT = CHECKPOINTS / "codenet-demo.pt"
