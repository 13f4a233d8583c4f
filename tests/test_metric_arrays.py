"""Metrics of a block from the recorder's arrays are the table path's values, bit for bit.

:func:`sim.metric_arrays.evaluate_block` computes the sweep and experiment metrics of every
member of an ensemble from the recorder's buffers; :func:`sim.metrics.evaluate` on a member's
pandas tables is the reference. Every comparison is of the float64 bits (NaN payloads and the
sign of zero included). The shipped files exercise every metric kind they use; a test with the
buffers overwritten by numbers of wildly different magnitudes makes sums in another order or
with another algorithm (numpy's pairwise sum of all the values, a Kahan sum) give other bits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.batch import make_task
from sim.batch.worker import run_block
from sim.members import shape_key
from sim.metric_arrays import evaluate_block, from_arrays, groupby_sum_is_reduceat
from sim.metrics import compile_metrics, evaluate
from sim.model import TradeModel
from sim.results import Results
from sim.scenario import apply_overrides, load_scenario, load_toml
from tests.conftest import ROOT

EXPERIMENTS = sorted((ROOT / "scenarios" / "experiments").glob("*.toml"))
SWEEPS = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))


def bits(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).view(np.int64)


def ensembles(tasks) -> list[tuple[TradeModel, list]]:
    """The tasks' runs as the batch layer runs them: one ensemble per world shape."""
    groups: dict[tuple, list] = {}
    for task in tasks:
        spec = load_scenario(apply_overrides(task.document, {**task.overrides, "simulation.seed": task.seed}))
        groups.setdefault(shape_key(spec), []).append((task, spec))
    out = []
    for group in groups.values():
        model = TradeModel.ensemble([spec for _, spec in group])
        model.run()
        out.append((model, [task for task, _ in group]))
    return out


def reference(model: TradeModel, r: int, metrics) -> tuple[dict, dict]:
    ts, bil = model.recorder.tables(model, r)
    return evaluate(metrics, Results(timeseries=ts, bilateral=bil, scenario=model.specs[r]), with_series=True)


def assert_same(model: TradeModel, metrics, members=None) -> int:
    """Compare both paths for every member; returns how many values were compared."""
    metrics = [m for m in metrics if from_arrays(m)]
    members = [r for r in range(model.R) if model.errors[r] is None] if members is None else members
    fast = evaluate_block(metrics, model, members, with_series=True)
    assert sorted(fast) == sorted(members), "no member of a finite run may be left to the tables"
    compared = 0
    for r in members:
        values, series = reference(model, r, metrics)
        got_values, got_series = fast[r]
        assert list(got_values) == list(values)
        for name, v in values.items():
            assert bits(got_values[name]) == bits(v), (r, name, got_values[name], v)
            compared += 1
        assert list(got_series) == list(series)
        for key, s in series.items():
            ticks, vals = got_series[key]
            np.testing.assert_array_equal(ticks, s.index.to_numpy())
            assert ticks.dtype == s.index.to_numpy().dtype
            assert np.array_equal(bits(vals), bits(s.to_numpy(dtype=float))), (r, key)
    return compared


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: Path(p).stem)
def test_every_experiment_metric_from_arrays_is_the_table_value(path):
    from sim.experiment.spec import load_experiment

    exp = load_experiment(path, seeds=2)
    tasks = [make_task(arm.document, s, exp.metrics, series=True) for arm in exp.arms for s in exp.seeds]
    compared = sum(assert_same(model, exp.metrics) for model, _ in ensembles(tasks))
    assert compared == len(tasks) * sum(from_arrays(m) for m in exp.metrics)


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: Path(p).stem)
def test_every_sweep_metric_from_arrays_is_the_table_value(path):
    from sim.sweep.design import design
    from sim.sweep.run import _tasks
    from sim.sweep.spec import load_sweep

    sweep = load_sweep(path)
    tasks = _tasks(sweep, design(sweep).head(4))
    compared = sum(assert_same(model, sweep.metrics) for model, _ in ensembles(tasks))
    assert compared == len(tasks) * sum(from_arrays(m) for m in sweep.metrics) > 0


# every kind, stat and option a metric table can give, on the baseline (5 countries, 3 sectors)
EVERY_KIND = [
    {"country": "US", "column": "current_account"},
    {"country": "China", "column": "current_account", "share_of_gdp": True, "stat": "sum"},
    {"country": "Japan", "column": "exports_hightech", "stat": "max", "ticks": [3, 17]},
    {"country": "Europe", "column": "price_level", "stat": "min"},
    {"country": "China", "column": "output_share_hightech", "stat": "at", "at": 7},
    {"country": "US", "column": "sudden_stop", "stat": "mean"},
    {"country": "China", "column": "reserves_in_US", "share_of_gdp": True},
    {"country": "world", "column": "imbalance_index"},
    {"country": "world", "column": "world_interest_rate", "stat": "at", "at": 5},
    {"country": "world", "column": "current_account", "stat": "sum"},
    {"country": "world", "column": "exports", "share_of_gdp": True, "stat": "max"},
    {"country": "world", "column": "labor_force", "ticks": [2, 9]},
    {"pair": ["US", "China"]},
    {"pair": ["China", "US"], "column": "exports", "share_of_gdp": True, "stat": "sum"},
    {"pair": ["Japan", "China"], "column": "imports", "sector": "hightech", "stat": "min"},
    {"pair": ["China", "Europe"], "column": "balance", "sector": "hightech", "share_of_gdp": True},
    {"pair": ["US", "Japan"], "stat": "at", "at": 19},
]


@pytest.fixture(scope="module")
def baseline_block():
    doc = apply_overrides(load_toml(ROOT / "scenarios" / "baseline.toml"), {"simulation.ticks": 20})
    specs = [
        load_scenario(apply_overrides(doc, {"simulation.seed": s, "world.trade_cost": c}))
        for s, c in ((1, 1.0), (2, 0.8), (3, 1.2), (4, 1.0), (5, 0.9))
    ]
    model = TradeModel.ensemble(specs)
    model.run()
    return model


def test_every_metric_kind_and_stat_from_arrays_is_the_table_value(baseline_block):
    metrics = compile_metrics(EVERY_KIND, baseline_block.specs[0])
    assert all(from_arrays(m) for m in metrics)
    assert assert_same(baseline_block, metrics) == len(EVERY_KIND) * baseline_block.R


def test_sums_add_in_the_order_of_the_tables_on_hard_numbers(baseline_block):
    # numbers from 1e-6 to 1e16 of both signs: a sum over countries or sectors in another
    # order or with compensation gives other bits on some ticks (checked below)
    model = baseline_block
    rec = model.recorder
    metrics = compile_metrics(EVERY_KIND, model.specs[0])
    for r in range(model.R):
        rec.member(r)  # computed columns filled in now, then overwritten below
    rng = np.random.default_rng(20)

    def hard(shape):
        return rng.choice([-1.0, 1.0], shape) * 10.0 ** rng.uniform(-6, 16, shape)

    k = len(rec.ticks)
    for col in ("gdp", "current_account", "exports", "labor_force"):
        rec._country[col][:k] = hard(rec._country[col][:k].shape)
    for flows in rec._bilateral:
        flows[...] = hard(flows.shape)
    assert assert_same(model, metrics) == len(EVERY_KIND) * model.R
    # the check has teeth: a plain numpy sum of these numbers differs from the tables' sums
    ts, _ = rec.tables(model, 0)
    grouped = ts.groupby("tick", sort=True)["current_account"].sum().to_numpy()
    plain = rec._country["current_account"][:k, 0].sum(axis=-1)
    assert groupby_sum_is_reduceat()
    assert not np.array_equal(bits(grouped), bits(plain))


def test_a_member_with_nan_in_a_summed_series_is_left_to_the_tables(baseline_block):
    model = baseline_block
    metrics = compile_metrics([{"country": "world", "column": "unmet_demand"}], model.specs[0])
    buf = model.recorder._country["unmet_demand"]
    old = buf[3, 2, 1]
    buf[3, 2, 1] = np.nan
    try:
        fast = evaluate_block(metrics, model, range(model.R))
        assert 2 not in fast and sorted(fast) == [0, 1, 3, 4]
        # pandas skips the NaN: the table path still gives a number
        assert np.isfinite(reference(model, 2, metrics)[0][metrics[0].name])
    finally:
        buf[3, 2, 1] = old


def test_a_block_stores_what_the_tables_give_with_cycle_metrics_in_between():
    # the worker mixes array metrics with cycle metrics (tables) in the file's order, per member
    from tests.conftest import two_country

    doc = two_country()
    doc["simulation"]["ticks"] = 30
    specs = [
        {"country": "Poor", "column": "current_account", "share_of_gdp": True},
        {"cycle": "imbalance_mean"},
        {"country": "world", "column": "imbalance_index", "stat": "max"},
        {"pair": ["Rich", "Poor"], "column": "exports"},
    ]
    metrics = compile_metrics(specs, load_scenario(doc))
    tasks = [make_task(doc, s, metrics, series=True) for s in (1, 2, 3)]
    outs = run_block(tasks)
    assert [o["status"] for o in outs] == ["ok"] * 3
    for task, out in zip(tasks, outs, strict=True):
        model = TradeModel(apply_overrides(task.document, {"simulation.seed": task.seed}))
        model.run()
        values, series = reference(model, 0, metrics)
        assert list(out["metrics"]) == [m.name for m in metrics]
        assert np.array_equal(bits(list(out["metrics"].values())), bits(list(values.values())))
        assert list(out["series"]) == list(series)
        for key, s in series.items():
            assert np.array_equal(bits(out["series"][key][1]), bits(s.to_numpy(dtype=float)))
