"""Kill-safe outputs: ``python -m sim run`` and ``python -m sim sweep`` killed with SIGKILL at
seeded random moments (and at the moment the final write starts), several times.

After every kill, every file under the results folder outside dot-named temporaries is a
complete, readable table (Parquet, CSV with as many rows as its Parquet twin), JSON, TOML or
PNG, and every run folder holds what its manifest lists. A rerun of the same command then
completes the work, cleans the temporaries of the dead processes and gives exactly the tables of
an uninterrupted run. (tests/test_sweep.py kills a sweep once at a fixed point; here the kill
moments are random and repeated.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import tomli_w

import sim
from sim.sweep import run_sweep
from tests.conftest import ROOT, two_country

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
RUN_TICKS = 800


def launch(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_when(proc: subprocess.Popen, trigger: Callable[[float, int], bool], timeout: float = 120.0) -> bool:
    """SIGKILL ``proc`` as soon as ``trigger(seconds since start, pid)`` is true; False if it
    ended first."""
    start = time.monotonic()
    while proc.poll() is None:
        elapsed = time.monotonic() - start
        if trigger(elapsed, proc.pid) or elapsed > timeout:
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate()
            return True
        time.sleep(0.002)
    proc.communicate()
    return False


def hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def assert_no_partial_files(root: Path) -> None:
    """Every visible file under ``root`` is complete; run folders hold their manifest's files."""
    if not root.exists():
        return
    for p in sorted(root.rglob("*")):
        if p.is_dir() or hidden(p, root):
            continue
        if p.suffix == ".parquet":
            pq.read_table(p)
        elif p.suffix == ".csv":
            rows = len(pd.read_csv(p))
            twin = p.with_suffix(".parquet")
            if twin.exists():
                assert rows == pq.ParquetFile(twin).metadata.num_rows, f"{p} is shorter than {twin.name}"
        elif p.suffix == ".json":
            json.loads(p.read_text(encoding="utf-8"))
        elif p.suffix == ".toml":
            tomllib.loads(p.read_text(encoding="utf-8"))
        elif p.suffix == ".png":
            data = p.read_bytes()
            assert data.startswith(b"\x89PNG") and data.endswith(b"IEND\xaeB`\x82"), f"{p} is cut short"
        elif p.suffix == ".md":
            assert p.read_text(encoding="utf-8").endswith("\n"), f"{p} is cut short"
        else:
            raise AssertionError(f"unexpected file {p}")
    for manifest in root.rglob("manifest.json"):
        if hidden(manifest, root):
            continue
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
        assert all((manifest.parent / f).exists() for f in listed), f"{manifest.parent} misses a listed file"


def test_killed_runs_leave_no_partial_table_and_a_rerun_equals_an_uninterrupted_run(tmp_path):
    scenario = str(ROOT / "scenarios" / "baseline.toml")
    args = ("run", scenario, "--ticks", str(RUN_TICKS), "--no-figure")
    results = tmp_path / "results"
    tables = results / "baseline"

    def own_temporary(pid: int) -> Path:
        return next(iter(tables.glob(f".tmp-*-{pid}")), tables / "none")

    def writing(_: float, pid: int) -> bool:  # the final write has begun: the temporary run folder exists
        return own_temporary(pid).exists()

    def half_written(_: float, pid: int) -> bool:  # some tables are in the temporary folder, not all
        return (own_temporary(pid) / "timeseries.parquet").exists()

    def check_after_kill() -> None:
        assert_no_partial_files(results)
        visible = [p for p in tables.iterdir() if not p.name.startswith(".")] if tables.exists() else []
        assert not visible, "a killed run left a visible run folder"

    # first a kill the moment the final write starts, which also times the run up to it
    proc = launch(*args, cwd=tmp_path)
    t0 = time.monotonic()
    assert kill_when(proc, writing)
    write_starts = time.monotonic() - t0
    check_after_kill()
    # then one with some tables written, and three at seeded random moments before the write
    rng = np.random.default_rng(2026)
    moments = [float(t) for t in rng.uniform(0.1, 0.8, 3) * write_starts]
    proc = launch(*args, cwd=tmp_path)
    assert kill_when(proc, half_written)
    check_after_kill()
    assert (own_temporary(proc.pid) / "timeseries.parquet").exists()  # the kill did land mid-write
    for t in moments:
        # on a busier or quieter machine the run may reach its write before the drawn moment:
        # then it is killed as the write starts, never allowed to finish
        assert kill_when(launch(*args, cwd=tmp_path), lambda s, pid, t=t: s >= t or writing(s, pid))
        check_after_kill()

    rerun = launch(*args, cwd=tmp_path)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert out.startswith("ran baseline"), out
    assert not list(tables.glob(".tmp-*")), "the rerun cleans the temporaries of the killed runs"
    assert_no_partial_files(results)
    (folder,) = tables.iterdir()
    # an uninterrupted run of the same inputs (here through the API) writes the same tables
    ref = sim.run(scenario, ticks=RUN_TICKS, out=tmp_path / "ref", figure=False)
    assert folder.name == ref.path.name  # the same inputs give the same run id
    for name in ("timeseries", "bilateral"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(folder / f"{name}.parquet"), pd.read_parquet(ref.path / f"{name}.parquet"), check_exact=True
        )


def test_a_sweep_killed_again_and_again_completes_with_every_run_once(tmp_path):
    base = two_country()
    base["simulation"]["ticks"] = 150  # about 0.2 s a run: kills land inside runs and writes
    (tmp_path / "base.toml").write_text(tomli_w.dumps(base), encoding="utf-8")
    sweep = {
        "base": "base.toml",
        "sampler": "grid",
        "replicates": 2,
        "parameter": [
            {"path": "country.Poor.propensity_to_consume", "values": [0.7, 0.74, 0.78]},
            {"path": "world.trade_cost", "values": [0.5, 0.75, 1.0]},
        ],
        "metric": [
            {"name": "poor_ca", "country": "Poor", "column": "current_account", "share_of_gdp": True},
            {"name": "imbalance", "country": "world", "column": "imbalance_index", "stat": "max"},
        ],
    }
    path = tmp_path / "sw.toml"
    path.write_text(tomli_w.dumps(sweep), encoding="utf-8")
    fresh = run_sweep(path, workers=1, out=tmp_path / "fresh", report=False)
    n_runs = len(fresh.runs)

    # every run its own block (an ensemble of 18 finishes between two polls on a quiet machine)
    args = ("sweep", str(path), "--workers", "1", "--block", "1", "--flush-every", "1", "--no-report")
    folder = tmp_path / "results" / "sweeps" / "sw"
    parts = folder / "store" / "runs"

    def n_parts() -> int:
        return len(list(parts.glob("part-*.parquet"))) if parts.exists() else 0

    rng = np.random.default_rng(7)
    assert n_runs == 18
    kills = 0
    for _ in range(4):
        # a random moment after the next one or two runs have been stored
        wait_for = n_parts() + int(rng.integers(1, 3))
        extra = float(rng.uniform(0.0, 0.3))
        first_seen: list[float] = []

        def trigger(elapsed: float, _: int, wait_for=wait_for, extra=extra, first_seen=first_seen) -> bool:
            done = n_parts()
            if not first_seen and done >= wait_for:
                first_seen.append(elapsed)
            # at the drawn moment, or at the latest once one more run is stored: 4 kills of at
            # most 3 runs each leave the 18-run sweep unfinished on any machine
            return bool(first_seen) and (elapsed >= first_seen[0] + extra or done > wait_for)

        kills += kill_when(launch(*args, cwd=tmp_path), trigger)
        assert_no_partial_files(folder)
        stored = pd.concat([pd.read_parquet(p) for p in parts.glob("part-*.parquet")])
        assert stored["task_id"].is_unique and len(stored) < n_runs
    assert kills == 4

    p = launch(*args, cwd=tmp_path)
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    assert_no_partial_files(folder)
    runs = pd.read_parquet(folder / "runs.parquet")
    assert len(runs) == n_runs and runs["run"].is_unique and runs["task_id"].is_unique
    assert (runs["status"] == "ok").all()

    def content(df: pd.DataFrame) -> pd.DataFrame:
        return df.drop(columns="seconds").sort_values("run").reset_index(drop=True)

    pd.testing.assert_frame_equal(content(runs), content(fresh.runs), check_exact=True)
