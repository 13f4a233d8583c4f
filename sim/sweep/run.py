"""Running a sweep: :func:`run_sweep` and :class:`SweepResult`.

``results/sweeps/<name>/`` holds::

    runs.parquet     one row per run: run, point, replicate, seed, the parameters (columns
                     named by key path), the metrics, status, error, seconds, task_id
    store/           finished runs as Parquet part-files, written in batches while the sweep
                     runs (store/runs/), and, with record_series, each run's metric series
                     (store/series/, a partitioned dataset: one file per batch)
    sweep.toml       a copy of the sweep file; manifest.json (versions, design size, timings)
    report/          sensitivity indices and plots (when every run has finished)

Interrupting a sweep keeps every finished run; the same command runs only what is missing.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.batch import BatchSummary, ParquetStore, execute, make_task
from sim.batch.documents import expand_overrides
from sim.batch.task import _version, code_fingerprint
from sim.errors import TradesimError
from sim.paths import check_folder, folder_in
from sim.sweep.design import design, overrides_of
from sim.sweep.spec import Sweep, load_sweep


@dataclass
class SweepResult:
    """What a sweep produced.

    Attributes:
        sweep: the checked sweep.
        runs: one row per run (see the module docstring); metrics NaN where a run failed or has
            not run yet (status ``missing``).
        summary: how this call went (None for ``report_sweep``).
        path: the sweep's folder.
        report: the sensitivity report's folder, if written.
    """

    sweep: Sweep
    runs: pd.DataFrame = field(repr=False)
    summary: BatchSummary | None
    path: Path
    report: Path | None = None

    @property
    def complete(self) -> bool:
        """Whether every run of the design has finished (ok or failed)."""
        return bool((self.runs["status"] != "missing").all())

    @property
    def failed(self) -> int:
        """Runs that raised."""
        return int((self.runs["status"] == "error").sum())


def _tasks(sweep: Sweep, table: pd.DataFrame) -> list:
    names = sweep.names
    metrics = tuple(sweep.metrics)
    series = sweep.spec.record_series
    tasks = []
    for row in table.to_dict("records"):
        tasks.append(
            make_task(
                sweep.base,
                int(row["seed"]),
                metrics,
                overrides=expand_overrides(sweep.base, overrides_of(row, names)),
                series=series,
                doc_hash=sweep.base_hash,
            )
        )
    return tasks


def plan(source: str | Path | Sweep, *, out: str | Path = "results/sweeps") -> tuple[Sweep, pd.DataFrame, int]:
    """(sweep, design table with task ids, how many runs are already finished) — nothing run."""
    sweep = source if isinstance(source, Sweep) else load_sweep(source)
    table = design(sweep)
    table["task_id"] = [t.id for t in _tasks(sweep, table)]
    folder = folder_in(out, sweep.name) / "store"
    done = ParquetStore(folder).done_ids() if folder.exists() else set()
    return sweep, table, int(table["task_id"].isin(done).sum())


def run_sweep(
    source: str | Path | Sweep,
    *,
    workers: int | None = None,
    dask: str | None = None,
    out: str | Path = "results/sweeps",
    progress: bool = False,
    retry_failed: bool = False,
    flush_every: int = 64,
    report: bool = True,
    dask_timeout: float = 10.0,
    block: int | None = None,
) -> SweepResult:
    """Run a sweep file (what ``tradesim sweep SWEEP.toml`` does).

    Args:
        source: the sweep file (or a checked :class:`Sweep`).
        workers: local worker processes (None: every core; 1: in this process). A script
            calling this with more than one must guard its entry point with
            ``if __name__ == "__main__":`` (worker processes import it).
        dask: a Dask scheduler address (``tcp://host:port``) to run on instead.
        out: the results root; the sweep goes to ``<out>/<name>/``.
        progress: show a tqdm bar.
        retry_failed: run again runs that failed before.
        flush_every: write finished runs to disk every this many runs (and every 10 s).
        report: when every run has finished, write the sensitivity report.
        dask_timeout: seconds to wait for the Dask scheduler to answer.
        block: runs per block, stepped together as one ensemble (None: as many as fit in
            memory, see :func:`sim.batch.executor.default_block`).

    Returns:
        A :class:`SweepResult`.
    """
    sweep = source if isinstance(source, Sweep) else load_sweep(source)
    folder = folder_in(out, sweep.name)
    check_folder(out)
    store = ParquetStore(folder / "store", flush_every=flush_every)
    table = design(sweep)
    tasks = _tasks(sweep, table)
    table["task_id"] = [t.id for t in tasks]
    summary = execute(
        tasks,
        store,
        workers=workers,
        dask=dask,
        progress=progress,
        retry_failed=retry_failed,
        desc=sweep.name,
        dask_timeout=dask_timeout,
        block=block,
    )
    del tasks
    result = _collect(sweep, table, store, folder, summary)
    store.compact(kinds=("runs",))
    if report and result.complete:
        from sim.sweep.sensitivity import write_report

        result.report = write_report(result)
    return result


def report_sweep(source: str | Path | Sweep, *, out: str | Path = "results/sweeps") -> SweepResult:
    """(Re)write the sensitivity report from a sweep's stored runs, running nothing.

    Raises:
        TradesimError: the sweep has not been run, or not every run has finished.
    """
    sweep = source if isinstance(source, Sweep) else load_sweep(source, check=False)
    folder = folder_in(out, sweep.name)
    if not (folder / "store").exists():
        raise TradesimError(f"{folder} holds no runs of sweep '{sweep.name}': run it first (tradesim sweep FILE)")
    table = design(sweep)
    table["task_id"] = [t.id for t in _tasks(sweep, table)]
    result = _collect(sweep, table, ParquetStore(folder / "store"), folder, None)
    missing = int((result.runs["status"] == "missing").sum())
    if missing:
        raise TradesimError(
            f"sweep '{sweep.name}' is not complete ({len(result.runs) - missing} of {len(result.runs)} runs finished): "
            "run it again to finish it"
        )
    from sim.sweep.sensitivity import write_report

    result.report = write_report(result)
    return result


def _collect(sweep: Sweep, table: pd.DataFrame, store: ParquetStore, folder: Path, summary) -> SweepResult:
    stored = store.runs()
    names = [m.name for m in sweep.metrics]
    for n in names:
        if n not in stored.columns:
            stored[n] = float("nan")
    runs = table.merge(stored[["task_id", *names, "status", "error", "seconds"]], on="task_id", how="left")
    runs["status"] = runs["status"].fillna("missing")
    cols = [c for c in table.columns if c != "task_id"] + names + ["status", "error", "seconds", "task_id"]
    runs = runs[cols].sort_values("run", kind="stable").reset_index(drop=True)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{os.getpid()}-runs.parquet.tmp"
    runs.to_parquet(tmp, index=False)
    os.replace(tmp, folder / "runs.parquet")
    if sweep.source is not None:
        tmp = folder / f".{os.getpid()}-sweep.toml.tmp"
        shutil.copyfile(sweep.source, tmp)
        os.replace(tmp, folder / "sweep.toml")
    if summary is not None:
        manifest = {
            "sweep": sweep.name,
            "source": str(sweep.source) if sweep.source else None,
            "version": _version(),
            "code": code_fingerprint(),
            "sampler": sweep.spec.sampler,
            "points": int(runs["point"].nunique()),
            "replicates": sweep.spec.replicates,
            "runs": len(runs),
            "finished": int((runs["status"] != "missing").sum()),
            "failed": int((runs["status"] == "error").sum()),
            "this_call": {
                "found": summary.found,
                "ran": summary.ran,
                "failed": summary.failed,
                "seconds": round(summary.seconds, 3),
                "where": summary.where,
                "runs_per_minute": round(summary.runs_per_minute, 2) if summary.ran else None,
            },
            "command": " ".join(sys.argv) if sys.argv and sys.argv[0] else "",
            "python": platform.python_version(),
            "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        tmp = folder / f".{os.getpid()}-manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        os.replace(tmp, folder / "manifest.json")
    return SweepResult(sweep, runs, summary, folder)
