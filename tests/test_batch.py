"""The batch layer: task ids, the kill-safe store, and executors that agree with each other."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.batch import MemoryStore, ParquetStore, derive_seed, execute, make_task, run_task
from sim.metrics import compile_metrics
from sim.scenario import load_scenario
from tests.conftest import two_country

METRICS = [
    {"country": "Poor", "column": "current_account", "share_of_gdp": True},
    {"country": "world", "column": "imbalance_index", "stat": "max"},
]


@pytest.fixture(scope="module")
def doc():
    d = two_country()
    d["simulation"]["ticks"] = 12
    return d


@pytest.fixture(scope="module")
def metrics(doc):
    return tuple(compile_metrics(METRICS, load_scenario(doc)))


def _tasks(doc, metrics, n=4, **kw):
    return [make_task(doc, derive_seed(0, k), metrics, **kw) for k in range(n)]


def test_task_ids_depend_on_exactly_what_decides_the_result(doc, metrics):
    a = make_task(doc, 1, metrics)
    assert make_task(dict(doc), 1, metrics).id == a.id
    assert make_task(doc, 2, metrics).id != a.id
    assert make_task(doc, 1, metrics[:1]).id != a.id
    assert make_task(doc, 1, metrics, overrides={"world.trade_cost": 0.5}).id != a.id
    assert make_task(doc, 1, metrics, series=True).id != a.id


def test_derived_seeds_are_fixed_distinct_and_legal():
    seeds = [derive_seed(7, k) for k in range(1000)]
    assert len(set(seeds)) == 1000 and all(0 <= s < 2**63 for s in seeds)
    assert seeds[:3] == [derive_seed(7, 0), derive_seed(7, 1), derive_seed(7, 2)]
    assert derive_seed(8, 0) != seeds[0]


def test_a_failing_task_is_recorded_with_its_error_and_the_others_complete(doc, metrics):
    good = _tasks(doc, metrics, n=2)
    bad = make_task(doc, 3, metrics, overrides={"world.elasticity": -1.0})
    store = MemoryStore()
    summary = execute([good[0], bad, good[1]], store, workers=1)
    runs = store.runs().set_index("task_id")
    assert summary.ran == 3 and summary.failed == 1
    assert runs.loc[bad.id, "status"] == "error" and "world.elasticity" in runs.loc[bad.id, "error"]
    assert (runs.loc[[g.id for g in good], "status"] == "ok").all()
    assert runs.loc[[g.id for g in good], metrics[0].name].notna().all()
    # a rerun skips all three; --retry-failed runs only the failed one again
    assert execute([good[0], bad, good[1]], store, workers=1).ran == 0
    assert execute([good[0], bad, good[1]], store, workers=1, retry_failed=True).ran == 1


def test_parquet_store_survives_restarts_and_the_last_row_wins(tmp_path, doc, metrics):
    tasks = _tasks(doc, metrics, n=3)
    store = ParquetStore(tmp_path / "s", flush_every=1)
    for t in tasks[:2]:
        store.add(run_task(t))
    # a stale temporary file from a dead process is removed; a finished part is kept
    stale = tmp_path / "s" / "runs" / ".999999999-part-x.parquet.tmp"
    stale.write_bytes(b"half a file")
    again = ParquetStore(tmp_path / "s")
    assert not stale.exists()
    assert again.done_ids() == {tasks[0].id, tasks[1].id}
    summary = execute(tasks, again, workers=1)
    assert (summary.found, summary.ran) == (2, 1)
    again.add({**run_task(tasks[0]), "status": "error", "error": "pretend"})
    again.flush()
    assert again.runs().set_index("task_id").loc[tasks[0].id, "status"] == "error"
    assert len(again.runs()) == 3
    again.compact()
    files = sorted(p.relative_to(tmp_path / "s").as_posix() for p in (tmp_path / "s").rglob("*.parquet"))
    assert files == ["runs.parquet"]
    assert len(ParquetStore(tmp_path / "s").runs()) == 3


def test_series_are_stored_once_per_task(tmp_path, doc, metrics):
    tasks = _tasks(doc, metrics, n=2, series=True)
    store = ParquetStore(tmp_path / "s", flush_every=1)
    execute(tasks, store, workers=1)
    store.add(run_task(tasks[0]))  # written twice
    s = store.series()
    assert s.groupby(["task_id", "series"]).size().eq(12).all()
    assert sorted(s["series"].unique()) == sorted({m.series_key for m in metrics})


def test_one_worker_and_two_workers_store_identical_numbers(tmp_path, doc, metrics):
    tasks = _tasks(doc, metrics, n=4, series=True)
    one, two = MemoryStore(), ParquetStore(tmp_path / "two")
    execute(tasks, one, workers=1)
    summary = execute(tasks, two, workers=2)
    assert summary.where == "2 local workers"

    def norm(df):
        return df.drop(columns="seconds").sort_values("task_id").reset_index(drop=True)

    pd.testing.assert_frame_equal(norm(one.runs()), norm(two.runs()), check_exact=True)
    key = ["task_id", "series", "tick"]
    pd.testing.assert_frame_equal(
        one.series().sort_values(key).reset_index(drop=True),
        two.series().sort_values(key).reset_index(drop=True),
        check_exact=True,
    )
    assert not [p for p in (tmp_path / "two").rglob("*") if p.name.endswith(".tmp")]


def test_blocks_of_any_size_store_the_numbers_of_runs_alone(doc, metrics):
    # members of a block step as one ensemble; each must store what it stores run alone
    tasks = _tasks(doc, metrics, n=6, series=True)
    tasks.insert(2, make_task(doc, 3, metrics, overrides={"world.elasticity": -1.0}, series=True))  # bad input
    tasks.insert(4, make_task(doc, 4, metrics, overrides={"country.Poor.wage": 1e4}, series=True))  # no start
    tasks.insert(5, make_task(doc, 5, metrics, overrides={"world.demand.habit": 0.7}, series=True))
    stores = {}
    for size in (1, 3, 16):
        stores[size] = MemoryStore()
        summary = execute(tasks, stores[size], workers=1, block=size)
        assert summary.block == size and summary.ran == len(tasks) and summary.failed == 2

    def norm(df):
        return df.drop(columns="seconds").sort_values("task_id").reset_index(drop=True)

    key = ["task_id", "series", "tick"]
    for size in (3, 16):
        pd.testing.assert_frame_equal(norm(stores[1].runs()), norm(stores[size].runs()), check_exact=True)
        pd.testing.assert_frame_equal(
            stores[1].series().sort_values(key).reset_index(drop=True),
            stores[size].series().sort_values(key).reset_index(drop=True),
            check_exact=True,
        )
    with pytest.raises(Exception, match="block"):
        execute(tasks, MemoryStore(), workers=1, block=0)
