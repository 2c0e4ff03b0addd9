"""The front-end tests need torch (the `torch` extra); they are skipped without it."""

import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # tests run in parallel workers: one thread each avoids oversubscription
