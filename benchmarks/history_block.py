"""Per-run cost of the history calibration's model runs (issue 25's benchmark).

    python benchmarks/history_block.py                 # a block of 50 tasks, in this process
    python benchmarks/history_block.py --tasks 30 --profile   # cProfile, cumulative, the parts that matter
    python benchmarks/history_block.py --no-metrics    # the same runs without the 24 fact targets

Builds ``tasks`` tasks of ``scenarios/calibrations/history_1980.toml`` at parameter values drawn
from its prior (fixed seed), runs them as one block through ``sim.batch.worker.run_block`` (one
ensemble, as a calibration's worker does) and prints the seconds per run and the 1-minute load
average. On a shared machine read it beside the load.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    """Time (or profile) one block of history tasks."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", type=int, default=50)
    p.add_argument("--profile", action="store_true")
    p.add_argument("--no-metrics", action="store_true")
    args = p.parse_args(argv)
    import numpy as np

    from sim.batch.task import make_task
    from sim.batch.worker import run_block
    from sim.calibrate.evaluate import model_seed, overrides_of
    from sim.calibrate.priors import sample, to_values
    from sim.calibrate.spec import load_calibration

    cal = load_calibration(ROOT / "scenarios" / "calibrations" / "history_1980.toml")
    values = to_values(cal.priors, sample(cal.priors, np.random.default_rng(0), args.tasks))
    metrics = () if args.no_metrics else tuple(cal.metrics)
    tasks = [
        make_task(cal.base, model_seed(1, i), metrics, overrides=overrides_of(cal, v), doc_hash=cal.base_hash)
        for i, v in enumerate(values)
    ]
    run_block(tasks[:1])  # imports and caches outside the clock
    t0 = time.perf_counter()
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
    results = run_block(tasks)
    if args.profile:
        prof.disable()
    seconds = time.perf_counter() - t0
    ok = sum(r["status"] == "ok" for r in results)
    print(
        f"{len(tasks)} tasks ({ok} ok), {len(metrics)} metrics: {seconds:.2f} s, {seconds / len(tasks):.4f} s a run; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    if args.profile:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(
            r"worker.py|model.py:.*(run|_apply_events|ensemble)|scenario.py:.*(load_scenario|_check_events)|events.py|metrics.py|score.py"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
