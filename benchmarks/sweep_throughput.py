"""Sweep throughput: runs per minute of the baseline with 1 and 2 local workers (and optionally a
Dask cluster).

    python benchmarks/sweep_throughput.py                      # 40 runs x 100 ticks, 1 and 2 workers
    python benchmarks/sweep_throughput.py --runs 80 --ticks 200 --workers 1 2 4
    python benchmarks/sweep_throughput.py --dask tcp://127.0.0.1:8786
    python benchmarks/sweep_throughput.py --runs 1000 --workers 1 2 --block 1 0   # alone vs blocks
    python benchmarks/sweep_throughput.py --runs 1000 --profile   # where an in-process sweep's time goes

Each measurement is a fresh sweep (a random design over China's propensity to consume and the
trade cost) into a temporary folder, timed from the first run to the last: it includes starting
the worker processes but not importing tradesim or writing the report. Prints a markdown table
and writes benchmarks/sweep_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def sweep_spec(runs: int, ticks: int) -> dict:
    return {
        "base": str(ROOT / "scenarios" / "baseline.toml"),
        "ticks": ticks,
        "sampler": "random",
        "samples": runs,
        "seed": 7,
        "parameter": [
            {"path": "country.China.propensity_to_consume", "range": [0.7, 0.84]},
            {"path": "world.trade_cost", "range": [0.5, 1.5]},
        ],
        "metric": [
            {"country": "world", "column": "imbalance_index"},
            {"country": "China", "column": "current_account", "share_of_gdp": True},
        ],
    }


def measure(runs: int, ticks: int, workers: int | None, dask: str | None, block: int | None = None) -> dict:
    import sim.model  # noqa: F401 - imported before the clock starts (the workers import it too)
    from sim.sweep import build_sweep, run_sweep

    sweep = build_sweep(sweep_spec(runs, ticks), name=f"bench_{workers or 'dask'}")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = run_sweep(sweep, workers=workers, dask=dask, out=tmp, report=False, block=block)
        wall = time.perf_counter() - t0
    assert res.failed == 0, res.runs["error"].dropna().head()
    return {
        "where": res.summary.where,
        "block": res.summary.block,
        "runs": res.summary.ran,
        "ticks": ticks,
        "seconds": round(wall, 2),
        "runs_per_minute": round(60 * res.summary.ran / wall, 1),
        "seconds_per_run_in_worker": round(float(res.runs["seconds"].mean()), 3),
    }


PROFILED = {
    "solve_balanced_start": "balanced start, solved per member",
    "tables": "pandas tables (Recorder.tables)",
    "evaluate": "metrics from tables (sim.metrics.evaluate)",
    "evaluate_block": "metrics from arrays (sim.metric_arrays.evaluate_block)",
    "run": "stepping (TradeModel.run)",
    "load_scenario": "loading each task's scenario",
}


def profile(runs: int, ticks: int, block: int | None) -> None:
    """Print the share of an in-process sweep's time spent in the functions of :data:`PROFILED`
    (cumulative cProfile times, so nested calls count in both)."""
    import cProfile
    import pstats

    import sim.model  # noqa: F401
    from sim.sweep import build_sweep, run_sweep

    sweep = build_sweep(sweep_spec(runs, ticks), name="bench_profile")
    prof = cProfile.Profile()
    with tempfile.TemporaryDirectory() as tmp:
        prof.enable()
        run_sweep(sweep, workers=1, out=tmp, report=False, block=block)
        prof.disable()
    shares: dict[str, float] = {}
    total = 0.0
    for (path, _, name), (_, _, _, cum, _) in pstats.Stats(prof).stats.items():
        path = path.replace(os.sep, "/")
        if name == "run_sweep" and path.endswith("sim/sweep/run.py"):
            total = cum
        owner = {"run": "sim/model.py", "evaluate": "sim/metrics.py", "tables": "sim/results.py"}.get(name, "sim/")
        if name in PROFILED and owner in path:
            shares[PROFILED[name]] = shares.get(PROFILED[name], 0.0) + cum
    print(f"cProfile of one in-process sweep of {runs} runs: {total:.1f} s")
    print("| where | seconds | share |")
    print("|---|---:|---:|")
    for what, sec in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(f"| {what} | {sec:.2f} | {100 * sec / max(total, 1e-9):.1f}% |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--ticks", type=int, default=100)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--dask", help="also measure on this Dask scheduler")
    ap.add_argument(
        "--block", type=int, nargs="+", default=[0], help="runs per ensemble block (0: the default size; 1: runs alone)"
    )
    ap.add_argument("--profile", action="store_true", help="instead, profile one in-process sweep (blocks: --block)")
    args = ap.parse_args()
    if args.profile:
        profile(args.runs, args.ticks, args.block[0] or None)
        return
    rows = [measure(args.runs, args.ticks, w, None, b or None) for w in args.workers for b in args.block]
    if args.dask:
        rows.append(measure(args.runs, args.ticks, None, args.dask))
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"{args.runs} runs of the baseline, {args.ticks} ticks each; {os.cpu_count()} cores; load {load}")
    print("| where | block | runs | seconds | runs/min | s per run in the worker |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['where']} | {r['block']} | {r['runs']} | {r['seconds']} | {r['runs_per_minute']} | "
            f"{r['seconds_per_run_in_worker']} |"
        )
    out = {
        "rows": rows,
        "cpu_count": os.cpu_count(),
        "load_average": load,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    (ROOT / "benchmarks" / "sweep_throughput.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
