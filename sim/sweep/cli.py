"""``tradesim sweep``: parse arguments, call :mod:`sim.sweep`, print what happened."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli import RESUMABLE
from sim.errors import TradesimError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``sweep``."""
    p = sub.add_parser(
        "sweep",
        help="run a parameter sweep (locally or on a Dask cluster); resumable; sensitivity indices",
        description="Runs every point of a sweep file into results/sweeps/<name>/. Finished runs are kept: "
        "rerunning the same command after an interruption runs only what is missing.",
    )
    p.add_argument("file", metavar="SWEEP.toml")
    p.add_argument("--workers", type=int, help="local worker processes (default: every core; 1: in this process)")
    p.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    p.add_argument(
        "--block",
        type=int,
        help="runs stepped together as one ensemble per task (default: up to 1024, as many as fit in 1 GiB)",
    )
    p.add_argument("--out", default="results/sweeps", help="results root (default: results/sweeps)")
    p.add_argument("--report", action="store_true", help="only (re)write the sensitivity report from finished runs")
    p.add_argument("--no-report", action="store_true", help="do not write the sensitivity report at the end")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and print the design and an estimated time (from one timed run, not stored)",
    )
    p.add_argument("--retry-failed", action="store_true", help="run again the runs that failed before")
    p.add_argument(
        "--flush-every", type=int, default=64, metavar="N", help="write finished runs to disk every N runs (default 64)"
    )
    p.set_defaults(func=cmd_sweep, on_interrupt=RESUMABLE)


def cmd_sweep(args: argparse.Namespace) -> int:
    """``tradesim sweep``."""
    from sim.sweep.run import plan, report_sweep, run_sweep

    if args.report and args.dry_run:
        raise TradesimError("--report and --dry-run do not go together")
    if args.report:
        res = report_sweep(args.file, out=args.out)
        print(f"report: {res.report / 'report.md'}")
        return 0
    if args.dry_run:
        from sim.batch import ParquetStore
        from sim.estimate import describe_time, estimate_seconds
        from sim.sweep.run import _tasks

        sweep, table, done = plan(args.file, out=args.out)
        store = Path(args.out) / sweep.name / "store"
        finished = ParquetStore(store).done_ids() if store.exists() else set()
        todo = [t for t in _tasks(sweep, table) if t.id not in finished]
        seconds, used = estimate_seconds(todo, args.workers)
        print(
            f"{sweep.name}: {sweep.spec.sampler} design, {table['point'].nunique()} points x "
            f"{sweep.spec.replicates} replicates = {len(table)} runs of {sweep.scenario.simulation.ticks} ticks; "
            f"{done} already finished; the rest {describe_time(seconds, used)} (the runs alone, from one timed run; starting workers and writing the report add to it)"
        )
        for p in sweep.parameters:
            print(f"  {p.path}: {p.values if p.values is not None else p.range}")
        print(f"  metrics: {', '.join(m.name for m in sweep.metrics)}")
        return 0
    res = run_sweep(
        args.file,
        workers=args.workers,
        dask=args.dask,
        block=args.block,
        out=args.out,
        progress=sys.stderr.isatty(),
        retry_failed=args.retry_failed,
        flush_every=args.flush_every,
        report=not args.no_report,
    )
    s = res.summary
    rate = f", {s.runs_per_minute:.0f} runs/min" if s.ran else ""
    print(
        f"{res.sweep.name}: {s.total} runs ({s.found} found finished, {s.ran} run now, {s.failed} failed) "
        f"in {s.seconds:.1f} s on {s.where} (blocks of up to {s.block}){rate}"
    )
    print(f"runs: {res.path / 'runs.parquet'}")
    if res.failed:
        first = res.runs[res.runs["status"] == "error"].iloc[0]
        print(f"{res.failed} runs failed; the first (run {first['run']}): {first['error']}")
    if res.report is not None:
        print(f"report: {res.report / 'report.md'}")
    return 0
