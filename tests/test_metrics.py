"""Metrics of experiments and sweeps, checked against the tables computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.errors import ScenarioError
from sim.metrics import compile_metrics, evaluate
from sim.scenario import load_scenario
from tests.conftest import two_country


@pytest.fixture(scope="module")
def run():
    doc = two_country()
    doc["simulation"]["ticks"] = 24
    return sim.simulate(doc)


def _one(res, **spec):
    (m,) = compile_metrics([spec], res.scenario)
    values, series = evaluate([m], res, with_series=True)
    return values[m.name], series[m.series_key] if m.series_key else None, m


def test_country_column_mean_over_a_window_in_levels_and_shares(run):
    ts = run.timeseries
    poor = ts[(ts["country"] == "Poor") & (ts["tick"].between(5, 15))]
    value, series, m = _one(run, country="Poor", column="current_account", ticks=[5, 15])
    assert value == pytest.approx(poor["current_account"].mean(), rel=1e-12)
    assert m.name == "Poor_current_account_mean_t5-15"
    share, _, _ = _one(run, country="Poor", column="current_account", ticks=[5, 15], share_of_gdp=True)
    assert share == pytest.approx((poor["current_account"] / poor["gdp"]).mean(), rel=1e-12)
    assert len(series) == 24  # the whole run's series is returned, the window only aggregates


def test_stats_sum_max_min_and_at(run):
    ts = run.timeseries
    rich = ts[ts["country"] == "Rich"].set_index("tick")["exports"]
    total, _, _ = _one(run, country="Rich", column="exports", stat="sum", ticks=[0, 9])
    assert total == pytest.approx(rich.loc[0:9].sum())  # annual flows, one-year ticks: USD bn
    peak, _, _ = _one(run, country="Rich", column="exports", stat="max")
    low, _, _ = _one(run, country="Rich", column="exports", stat="min")
    at, _, _ = _one(run, country="Rich", column="exports", stat="at", at=7)
    assert (peak, low, at) == (rich.max(), rich.min(), rich.loc[7])


def test_sum_over_quarterly_ticks_is_in_years():
    doc = two_country()
    doc["simulation"].update(ticks=12, tick_length="quarter")
    res = sim.simulate(doc)
    ts = res.timeseries
    ca = ts[ts["country"] == "Poor"]["current_account"]
    total, _, _ = _one(res, country="Poor", column="current_account", stat="sum")
    assert total == pytest.approx(0.25 * ca.sum())


def test_world_metrics(run):
    ts = run.timeseries
    by_tick = ts.groupby("tick")
    imb, _, _ = _one(run, country="world", column="imbalance_index")
    expected = (by_tick["current_account"].apply(lambda s: s.abs().sum()) / by_tick["gdp"].sum()).mean()
    assert imb == pytest.approx(expected)
    assert imb == pytest.approx(run.imbalance_index().mean())
    world_ca, _, _ = _one(run, country="world", column="current_account", stat="max")
    assert abs(world_ca) < 1e-6 * by_tick["gdp"].sum().max()  # current accounts sum to zero
    gdp, _, _ = _one(run, country="world", column="gdp", stat="at", at=3)
    assert gdp == pytest.approx(ts[ts["tick"] == 3]["gdp"].sum())


def test_pair_balance_from_the_bilateral_table(run):
    bil = run.bilateral
    t = bil[bil["tick"].between(2, 20)]
    ex = t[(t["origin"] == "Rich") & (t["destination"] == "Poor")].groupby("tick")["value"].sum()
    im = t[(t["origin"] == "Poor") & (t["destination"] == "Rich")].groupby("tick")["value"].sum()
    bal, _, m = _one(run, pair=["Rich", "Poor"], ticks=[2, 20])
    assert bal == pytest.approx((ex - im).mean())
    assert m.column == "balance" and "Rich's trade balance with Poor" in m.label
    hi = t[(t["origin"] == "Rich") & (t["destination"] == "Poor") & (t["sector"] == "hightech")]
    exports_ht, _, _ = _one(run, pair=["Rich", "Poor"], column="exports", sector="hightech", ticks=[2, 20])
    assert exports_ht == pytest.approx(hi.groupby("tick")["value"].sum().mean())
    # with two countries, bilateral trade is all of each one's trade
    ts = run.timeseries
    rich = ts[(ts["country"] == "Rich") & ts["tick"].between(2, 20)]
    assert bal == pytest.approx(rich["trade_balance"].mean(), rel=1e-9)


@pytest.mark.parametrize(
    ("spec", "where", "words"),
    [
        ({"country": "Poor", "column": "no_such_column"}, "metric[0].column", "unknown column"),
        ({"country": "Nowhere", "column": "gdp"}, "metric[0].country", "no country named 'Nowhere'"),
        ({"country": "world", "column": "exchange_rate"}, "metric[0].column", "cannot be summed"),
        ({"country": "Poor", "column": "gdp", "ticks": [5, 99]}, "metric[0].ticks", "after the last tick"),
        ({"country": "Poor", "column": "gdp", "stat": "at"}, "metric[0]", "needs at"),
        ({"pair": ["Rich", "Rich"]}, "metric[0].pair", "must differ"),
        ({"pair": ["Rich", "Poor"], "sector": "services"}, "metric[0].sector", "not a traded sector"),
        ({"column": "gdp"}, "metric[0]", "exactly one of"),
        ({"cycle": "n_cycles", "ticks": [0, 3]}, "metric[0].ticks", "not used by a cycle metric"),
        ({"cycle": "wiggles"}, "metric[0].cycle", "unknown cycle metric"),
        ({"country": "Poor", "column": "gdp", "sta": "mean"}, "metric[0].sta", "unknown key"),
    ],
)
def test_bad_metrics_name_the_key_and_the_reason(run, spec, where, words):
    with pytest.raises(ScenarioError) as info:
        compile_metrics([spec], run.scenario, file="exp.toml")
    paths = [p for p, _ in info.value.problems]
    assert where in paths, info.value.problems
    assert words in str(info.value) and "exp.toml" in str(info.value)


def test_metric_needs_logged_ticks():
    doc = two_country()
    doc["simulation"].update(ticks=20, log_every=5, bilateral_every=0)
    scn = load_scenario(doc)
    with pytest.raises(ScenarioError, match="tick 7 is not logged"):
        compile_metrics([{"country": "Poor", "column": "gdp", "stat": "at", "at": 7}], scn)
    with pytest.raises(ScenarioError, match="logs no bilateral flows"):
        compile_metrics([{"pair": ["Rich", "Poor"]}], scn)
    (m,) = compile_metrics([{"country": "Poor", "column": "gdp", "stat": "at", "at": 19}], scn)
    assert m.at == 19  # the last tick is always logged


def test_duplicate_metric_names_are_an_error(run):
    spec = {"country": "Poor", "column": "gdp"}
    with pytest.raises(ScenarioError, match="two metrics are named"):
        compile_metrics([spec, spec], run.scenario)


def test_cycle_keys_are_the_analysis_summary_keys():
    from sim.analysis.cycles import SUMMARY_KEYS
    from sim.metrics import CYCLE_KEYS

    assert tuple(CYCLE_KEYS) == SUMMARY_KEYS


def test_cycle_metrics_are_the_analysis_summary(run):
    from sim.analysis import summary

    expected = summary(run, rule="standard")
    metrics = compile_metrics([{"cycle": "n_cycles"}, {"cycle": "mean_amplitude"}], run.scenario)
    values, _ = evaluate(metrics, run)
    assert values["cycle_n_cycles"] == expected["n_cycles"]
    assert values["cycle_mean_amplitude"] == pytest.approx(expected["mean_amplitude"], nan_ok=True)
    assert np.isfinite(values["cycle_n_cycles"])
