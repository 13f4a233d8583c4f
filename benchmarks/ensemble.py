"""Per-member cost of a tick against the ensemble size R and the world size N.

    python benchmarks/ensemble.py                         # R = 1, 10, 100, 1000 at N = 5 and 10
    python benchmarks/ensemble.py --r 1 10 100 1000 10000 --n 5 10 --ticks 20
    python benchmarks/ensemble.py --r 1 10 50 --n 200 --s 10 --ticks 10

Each measurement builds an ensemble of R members of a synthetic world (3 traded sectors; members
differ in seeds only, so they share their trade factors), steps it a few ticks to warm up, then
times ``ticks`` ticks of ``model.step()`` (recorder included, bilateral flows not logged) and
divides by R. Beside it: the floor kernel's time for one world of that size (the least NumPy work
of a tick's trade), and the state and recorder memory per member. Prints a markdown table and
writes benchmarks/ensemble.json. Timings on a shared machine are not final figures.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(n: int, r: int, ticks: int, s: int = 3) -> dict:
    import numpy as np

    from benchmarks import floor
    from sim.model import TradeModel
    from sim.scenario import resolved_document, synthetic

    doc = resolved_document(synthetic(n, s, seed=0, ticks=ticks + 3))
    doc["simulation"]["bilateral_every"] = 0
    t0 = time.perf_counter()
    model = TradeModel(doc, members=[{"simulation.seed": k} for k in range(r)], datacollector=False)
    setup = time.perf_counter() - t0
    for _ in range(3):
        model.step()
    t0 = time.perf_counter()
    for _ in range(ticks):
        model.step()
    per_tick = (time.perf_counter() - t0) / ticks
    inp = floor.floor_inputs(model)
    reps = 2000
    t0 = time.perf_counter()
    for _ in range(reps):
        floor.floor_kernel(**inp)
    floor_s = (time.perf_counter() - t0) / reps
    state_b = sum(v.nbytes for v in vars(model.state).values() if isinstance(v, np.ndarray))
    rec = model.recorder
    rec_b = sum(v.nbytes for store in (rec._country, rec._sector, rec._traded, rec._raw) for v in store.values())
    rec_b += rec._reserves.nbytes
    return {
        "n": n,
        "s": s,
        "r": r,
        "ticks": ticks,
        "setup_s_per_member": setup / r,
        "tick_us_per_member": 1e6 * per_tick / r,
        "floor_us": 1e6 * floor_s,
        "ratio_to_floor": per_tick / r / floor_s,
        "state_kb_per_member": state_b / r / 1e3,
        "recorder_kb_per_member_per_tick": rec_b / r / (ticks + 3 + 2) / 1e3,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--r", type=int, nargs="+", default=[1, 10, 100, 1000])
    ap.add_argument("--n", type=int, nargs="+", default=[5, 10])
    ap.add_argument("--s", type=int, default=3, help="traded sectors")
    ap.add_argument("--ticks", type=int, default=20)
    args = ap.parse_args()
    rows = [measure(n, r, args.ticks, args.s) for n in args.n for r in args.r]
    print("| N × S | R | µs per member-tick | floor µs | ratio | set-up ms per member | state kB/member |")
    print("|---|---|---|---|---|---|---|")
    for x in rows:
        print(
            f"| {x['n']} × {x['s']} | {x['r']} | {x['tick_us_per_member']:.1f} | {x['floor_us']:.1f} | "
            f"{x['ratio_to_floor']:.1f} | {1e3 * x['setup_s_per_member']:.2f} | {x['state_kb_per_member']:.1f} |"
        )
    out = {"python": platform.python_version(), "machine": platform.machine(), "rows": rows}
    name = "ensemble.json" if args.s == 3 else f"ensemble_s{args.s}.json"
    (ROOT / "benchmarks" / name).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
