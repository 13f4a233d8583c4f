"""Per-run cost of the history calibration's model runs (issue 25's benchmark).

    python benchmarks/history_block.py                 # a block of 50 tasks, in this process
    python benchmarks/history_block.py --tasks 30 --profile   # cProfile, cumulative, the parts that matter
    python benchmarks/history_block.py --no-metrics    # the same runs without the 24 fact targets
    python benchmarks/history_block.py --tasks 100 --parts   # CPU time a run of each part

Builds ``tasks`` tasks of ``scenarios/calibrations/history_1980.toml`` at parameter values drawn
from its prior (fixed seed), runs them as one block through ``sim.batch.worker.run_block`` (one
ensemble, as a calibration's worker does) and prints the seconds per run and the 1-minute load
average, and the CPU time of this process (less sensitive to a shared machine's load than the wall
time). On a shared machine read them beside the load.
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
    p.add_argument("--parts", action="store_true", help="CPU time per run of each part of a block")
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
    if args.parts:
        return parts(tasks)
    t0, c0 = time.perf_counter(), time.process_time()
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
    results = run_block(tasks)
    if args.profile:
        prof.disable()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    ok = sum(r["status"] == "ok" for r in results)
    print(
        f"{len(tasks)} tasks ({ok} ok), {len(metrics)} metrics: {seconds:.2f} s, {seconds / len(tasks):.4f} s a run; "
        f"CPU {cpu:.2f} s, {cpu / len(tasks):.4f} s a run; load average {os.getloadavg()[0]:.2f}"
    )
    if args.profile:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(
            r"worker.py|model.py:.*(run|_apply_events|ensemble)|scenario.py:.*(load_scenario|_check_events)|events.py|metrics.py|score.py"
        )
    return 0


def parts(tasks: list) -> int:
    """CPU milliseconds per run of each part of what ``run_block`` does with these tasks."""
    from sim.batch import worker
    from sim.model import TradeModel
    from sim.scenario import apply_overrides, load_scenario

    c0 = time.process_time()
    specs = [
        load_scenario(apply_overrides(t.document, {**t.overrides, "simulation.seed": t.seed}, file="<task>"))
        for t in tasks
    ]
    c1 = time.process_time()
    model = TradeModel.ensemble(specs)
    c2 = time.process_time()
    spent = [0.0]
    apply_events = model._apply_events

    def timed() -> None:
        t = time.process_time()
        apply_events()
        spent[0] += time.process_time() - t

    model._apply_events = timed
    model.run()
    c3 = time.process_time()
    fast = worker._block_metrics(tasks, model)
    for r, t in enumerate(tasks):
        worker._member_metrics(t, model, r, fast.get(r))
    c4 = time.process_time()
    k = len(tasks) / 1e3
    print(
        f"{len(tasks)} tasks, CPU ms a run: validating the tasks {(c1 - c0) / k:.2f}, setting up the ensemble "
        f"{(c2 - c1) / k:.2f}, events during the run {spent[0] / k:.2f}, the rest of the ticks "
        f"{(c3 - c2 - spent[0]) / k:.2f}, metrics {(c4 - c3) / k:.2f}; total {(c4 - c0) / k:.2f}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
