"""The front-end tests need torch (the `torch` extra); they are skipped without it."""

import pytest

pytest.importorskip("torch")
