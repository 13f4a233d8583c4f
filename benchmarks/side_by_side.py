"""A single run's tick, old code against new, measured side by side in one session.

    python benchmarks/side_by_side.py                       # main against the working tree
    python benchmarks/side_by_side.py --old 1009339 --sizes 5x3 10x3 50x10 200x10 --rounds 5

The old commit is extracted with ``git archive`` into a temporary folder; each measurement is a
fresh subprocess (old and new alternate, so both see the same load) that builds a synthetic world
(``sim.synthetic(N, S)``), steps it 5 ticks, then times ``--ticks`` ticks one by one and prints
the median. The table shows, per size, the lowest median of the rounds for each tree and their
ratio (new / old). Timings on a shared machine are not final figures: read the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys, time, statistics
import numpy as np
from sim.model import TradeModel
from sim.scenario import synthetic
n, s, ticks = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
model = TradeModel(synthetic(n, s, seed=0, ticks=ticks + 6), datacollector=False)
for _ in range(5):
    model.step()
times = []
for _ in range(ticks):
    t = time.perf_counter()
    model.step()
    times.append(time.perf_counter() - t)
print(json.dumps({"median_ms": 1e3 * statistics.median(times), "min_ms": 1e3 * min(times)}))
"""


def probe(tree: Path, n: int, s: int, ticks: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(n), str(s), str(ticks)],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", default="main", help="commit of the old code (default: main)")
    ap.add_argument("--sizes", nargs="+", default=["5x3", "10x3", "50x10", "200x10"])
    ap.add_argument("--ticks", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp)
        archive = subprocess.run(["git", "archive", args.old], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        rows = []
        for size in args.sizes:
            n, s = (int(x) for x in size.split("x"))
            got: dict[str, list[float]] = {"old": [], "new": []}
            for _ in range(args.rounds):
                for name, tree in (("old", old), ("new", ROOT)):
                    got[name].append(probe(tree, n, s, args.ticks)["median_ms"])
            o, w = min(got["old"]), min(got["new"])
            rows.append({"size": size, "old_ms": o, "new_ms": w, "ratio": w / o, "rounds": got})
    print(f"| N × S | old ms/tick ({args.old}) | new ms/tick | new / old |")
    print("|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['size']} | {r['old_ms']:.3f} | {r['new_ms']:.3f} | {r['ratio']:.2f} |")
    print(json.dumps({"old": args.old, "rows": rows, "median_ratio": statistics.median(r["ratio"] for r in rows)}))


if __name__ == "__main__":
    main()
