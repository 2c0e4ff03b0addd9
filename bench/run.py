"""Run every benchmark module (bench/bench_*.py) or those named on the command line.

Each module exposes `run() -> dict`; the dict is written to bench/results/<name>.json and a
one-line summary per benchmark is printed. Timings live here, never in tests.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", help="benchmark names (file bench_NAME.py); default all")
    args = p.parse_args(argv)
    names = args.names or sorted(f.stem[len("bench_"):] for f in HERE.glob("bench_*.py"))
    RESULTS.mkdir(exist_ok=True)
    for name in names:
        mod = importlib.import_module(f"bench.bench_{name}")
        t0 = time.perf_counter()
        result = mod.run()
        result["_meta"] = {
            "benchmark": name,
            "wall_s": round(time.perf_counter() - t0, 3),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "date": time.strftime("%Y-%m-%d"),
        }
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(f"{name}: {result.get('summary', '')}  -> bench/results/{name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
