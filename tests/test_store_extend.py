"""Stores that grow: an experiment given more seeds, a sweep more replicates, a retried failure,
a rewritten report and two sweeps writing into one folder at once all read every file the store
holds, whichever library version wrote it (issue 18, item 5)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import tomli_w

import sim
from sim.batch import ParquetStore, derive_seed, make_task, run_task
from sim.metrics import compile_metrics
from sim.scenario import load_scenario
from sim.sweep import build_sweep, report_sweep, run_sweep
from tests.conftest import two_country

TEXT = [("task_id", pa.string())]
RUNS = pa.schema([*TEXT, ("status", pa.string()), ("error", pa.string()), ("seconds", pa.float64())])
SERIES = pa.schema([*TEXT, ("series", pa.string()), ("tick", pa.int64()), ("value", pa.float64())])
CA = {"name": "poor_ca", "country": "Poor", "column": "current_account", "share_of_gdp": True}


def small_doc(ticks: int = 8) -> dict:
    doc = two_country()
    doc["simulation"]["ticks"] = ticks
    return doc


def sweep_file(folder: Path, replicates: int = 1, values: list | None = None) -> Path:
    (folder / "base.toml").write_text(tomli_w.dumps(small_doc()))
    spec = {
        "name": "grow",
        "base": "base.toml",
        "replicates": replicates,
        "parameter": [{"path": "world.trade_cost", "values": values or [0.5, 1.0]}],
        "metric": [CA],
    }
    path = folder / "grow.toml"
    path.write_text(tomli_w.dumps(spec))
    return path


def large_string(table: pa.Table) -> pa.Table:
    """The table as pandas 3 writes it: every text column as large_string."""
    fields = [pa.field(f.name, pa.large_string()) if f.type == pa.string() else f for f in table.schema]
    return table.cast(pa.schema(fields))


def test_a_store_compacted_with_large_strings_is_read_extended_and_compacted_to_the_pinned_schema(tmp_path):
    doc = small_doc()
    metrics = tuple(compile_metrics([CA], load_scenario(doc)))
    tasks = [make_task(doc, derive_seed(0, k), metrics, series=True) for k in range(3)]
    folder = tmp_path / "store"
    first = ParquetStore(folder, flush_every=1)
    for t in tasks[:2]:
        first.add(run_task(t))
    first.compact()
    # what a store compacted under pandas 3 holds: large_string text columns
    for kind in ("runs", "series"):
        path = folder / f"{kind}.parquet"
        pq.write_table(large_string(pq.read_table(path)), path)
    assert pq.read_schema(folder / "runs.parquet").field("task_id").type == pa.large_string()
    store = ParquetStore(folder, flush_every=1)
    assert store.done_ids() == {tasks[0].id, tasks[1].id}
    store.add(run_task(tasks[2]))  # a part file with string columns beside them
    assert sorted(store.runs()["task_id"]) == sorted(t.id for t in tasks)
    assert store.series().groupby("task_id").size().eq(8).all()
    store.compact()
    assert pq.read_schema(folder / "series.parquet") == SERIES
    runs_schema = pq.read_schema(folder / "runs.parquet").remove_metadata()
    assert runs_schema == pa.schema([*RUNS, pa.field("poor_ca", pa.float64())])


def test_an_experiment_given_more_seeds_runs_only_the_new_ones(tmp_path):
    arms = {"open": {"world.trade_cost": 0.4}}
    kw = {"metrics": [CA], "name": "grow", "out": tmp_path, "figures": False}
    sim.compare(small_doc(), arms, seeds=2, **kw)
    more = sim.compare(small_doc(), arms, seeds=3, **kw)
    assert (more.summary.found, more.summary.ran, more.summary.failed) == (4, 2, 0)
    assert more.values["value"].notna().all() and len(more.values) == 6
    again = sim.compare(small_doc(), arms, seeds=3, **kw)
    assert (again.summary.found, again.summary.ran) == (6, 0)
    fresh = sim.compare(small_doc(), arms, seeds=3, **{**kw, "out": None})
    pd.testing.assert_frame_equal(again.values, fresh.values, check_exact=True)


def test_a_sweep_given_more_replicates_then_a_report_reads_the_whole_store(tmp_path):
    res = run_sweep(sweep_file(tmp_path, replicates=1), workers=1, out=tmp_path / "out")
    assert res.complete and len(res.runs) == 2
    more = run_sweep(sweep_file(tmp_path, replicates=2), workers=1, out=tmp_path / "out")
    assert (more.summary.found, more.summary.ran) == (2, 2)
    assert more.complete and (more.runs["status"] == "ok").all()
    rep = report_sweep(tmp_path / "grow.toml", out=tmp_path / "out")
    assert rep.report is not None and (rep.report / "report.md").exists()
    pd.testing.assert_frame_equal(rep.runs, more.runs, check_exact=True)


def test_retrying_failed_runs_after_the_store_was_compacted(tmp_path):
    path = sweep_file(tmp_path, values=[0.5, -3.0])  # -3 is not a legal trade cost: that run fails
    sweep = build_sweep(tomllib.loads(path.read_text()), relative_to=tmp_path, check=False)
    first = run_sweep(sweep, workers=1, out=tmp_path / "out", report=False)
    assert first.runs["status"].tolist() == ["ok", "error"]
    retry = run_sweep(sweep, workers=1, out=tmp_path / "out", report=False, retry_failed=True)
    assert (retry.summary.found, retry.summary.ran, retry.summary.failed) == (1, 1, 1)
    assert retry.runs["status"].tolist() == ["ok", "error"] and retry.runs["run"].is_unique


def test_two_sweeps_writing_into_one_folder_at_once_both_finish_with_every_run_once(tmp_path):
    path = sweep_file(tmp_path, replicates=3, values=[0.4, 0.6, 0.8, 1.0])  # 12 runs
    args = [sys.executable, "-m", "sim", "sweep", str(path), "--workers", "1", "--flush-every", "1", "--no-report"]
    procs = [
        subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    runs = pd.read_parquet(tmp_path / "results" / "sweeps" / "grow" / "runs.parquet")
    assert len(runs) == 12 and runs["run"].is_unique and (runs["status"] == "ok").all()
    store = ParquetStore(tmp_path / "results" / "sweeps" / "grow" / "store").runs()
    assert set(store["task_id"]) == set(runs["task_id"]) and store["task_id"].is_unique
    assert np.isfinite(runs["poor_ca"]).all()
