"""Measures against hand-computed values, and the cycle table on a world built by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis import (
    analyse,
    balance_shares,
    bilateral_balance_matrix,
    bilateral_balances,
    development_dispersion,
    imbalance_index,
    nfa_shares,
    reserves_months,
    series_dt,
    summary,
)
from sim.errors import TradesimError
from sim.results import Results
from sim.scenario import load_scenario

BILATERAL_COLUMNS = ["tick", "year", "origin", "destination", "sector", "value", "final", "intermediate"]


def hand_results(columns: dict[str, np.ndarray], names: list[str], bilateral=None, tick_length="year") -> Results:
    """A Results from (T, N) arrays per column; ticks 0..T-1."""
    t, n = next(iter(columns.values())).shape
    scn = load_scenario(
        {
            "simulation": {"name": "hand", "ticks": max(t, 1), "tick_length": tick_length},
            "country": [{"name": c, "labor_force": 10.0, "productivity": 1.0} for c in names],
        }
    )
    dt = scn.dt
    data = {
        "tick": np.repeat(np.arange(t), n),
        "year": np.repeat(2000 + np.arange(t) * dt, n),
        "country": pd.Categorical(np.tile(names, t), categories=names),
    }
    for k, v in columns.items():
        data[k] = np.asarray(v, dtype=float).reshape(-1)
    bil = (
        bilateral if bilateral is not None else pd.DataFrame({c: pd.Series(dtype="float64") for c in BILATERAL_COLUMNS})
    )
    return Results(timeseries=pd.DataFrame(data), bilateral=bil, scenario=scn)


def three_countries() -> Results:
    cols = {
        "current_account": np.array([[10.0, -4.0, -6.0], [0.0, 0.0, 0.0]]),
        "gdp": np.array([[100.0, 50.0, 50.0], [100.0, 50.0, 50.0]]),
        "gdp_ppp": np.array([[100.0, 50.0, 50.0], [80.0, 80.0, 80.0]]),
        "labor_force": np.array([[10.0, 10.0, 40.0], [10.0, 10.0, 10.0]]),
        "reserves": np.array([[30.0, 0.0, 5.0], [30.0, 0.0, 5.0]]),
        "imports": np.array([[60.0, 10.0, 0.0], [60.0, 10.0, 0.0]]),
        "net_foreign_assets": np.array([[50.0, -20.0, -30.0], [0.0, 0.0, 0.0]]),
    }
    # tick 0 flows by sector (origin, destination, sector, value); diagonal rows are home sales
    flows = [
        ("A", "B", "labor", 5.0),
        ("A", "B", "hightech", 3.0),
        ("B", "A", "labor", 2.0),
        ("A", "C", "labor", 1.0),
        ("C", "A", "hightech", 4.0),
        ("C", "B", "labor", 6.0),
        ("A", "A", "labor", 99.0),
        ("B", "B", "hightech", 77.0),
    ]
    rows = [dict(tick=0, origin=o, destination=d, sector=s, value=v, final=v, intermediate=0.0) for o, d, s, v in flows]
    rows += [dict(r, tick=1) for r in rows]
    bil = pd.DataFrame(rows, columns=BILATERAL_COLUMNS)
    return hand_results(cols, ["A", "B", "C"], bil)


def test_imbalance_index_and_shares_by_hand():
    res = three_countries()
    assert imbalance_index(res).loc[0] == pytest.approx(20.0 / 200.0)
    assert imbalance_index(res).loc[1] == 0.0
    assert balance_shares(res).loc[0].tolist() == pytest.approx([0.1, -0.08, -0.12])
    assert nfa_shares(res).loc[0].tolist() == pytest.approx([0.5, -0.4, -0.6])


def test_reserves_in_months_of_imports_by_hand():
    m = reserves_months(res := three_countries())
    assert m.loc[0, "A"] == pytest.approx(6.0)  # 30 bn / (60 bn a year / 12)
    assert m.loc[0, "B"] == 0.0
    assert math.isnan(m.loc[0, "C"])  # no imports: undefined, not infinite
    assert res is not None


def test_development_dispersion_by_hand():
    d = development_dispersion(three_countries())
    logs = np.log([10.0, 5.0, 1.25])
    assert d.loc[0] == pytest.approx(0.864506, abs=1e-6)
    assert d.loc[0] == pytest.approx(np.sqrt(np.mean((logs - logs.mean()) ** 2)))
    assert d.loc[1] == pytest.approx(0.0)


def test_bilateral_balances_by_hand():
    res = three_countries()
    m = bilateral_balance_matrix(res, 0)
    expected = pd.DataFrame(
        [[0.0, 6.0, -3.0], [-6.0, 0.0, -6.0], [3.0, 6.0, 0.0]], index=["A", "B", "C"], columns=["A", "B", "C"]
    )
    assert np.allclose(m.to_numpy(), expected.to_numpy())
    assert np.allclose(m.to_numpy(), -m.to_numpy().T)
    long = bilateral_balances(res)
    assert len(long) == 2 * 6
    row = long[(long.tick == 0) & (long.country == "B") & (long.partner == "C")].iloc[0]
    assert row.balance == pytest.approx(-6.0) and row.balance_share == pytest.approx(-6.0 / 50.0)
    with pytest.raises(TradesimError, match="no bilateral flows logged at tick"):
        bilateral_balance_matrix(res, 5)


def test_series_spacing_in_years():
    res = three_countries()
    assert series_dt(res) == 1.0
    q = hand_results({"current_account": np.zeros((3, 1)), "gdp": np.ones((3, 1))}, ["A"], tick_length="quarter")
    assert series_dt(q) == 0.25


def migrating_world(cycles: int = 6, period: int = 40) -> Results:
    """Three countries. The imbalance index follows a sine wave of known period between 0.5%
    and 6.5% of world GDP. In the rise of each cycle country A holds the surplus, in the fall C
    does; B always holds the deficit."""
    t = np.arange(cycles * period + 1)
    x = 0.035 - 0.03 * np.cos(2 * np.pi * t / period)  # troughs at multiples of the period
    gdp = np.full((t.size, 3), 100.0)
    half = x * 300.0 / 2.0  # sum |CA| = x * world GDP
    phase = (t % period) < period / 2
    ca = np.zeros((t.size, 3))
    ca[:, 0] = np.where(phase, half, 0.0)
    ca[:, 2] = np.where(phase, 0.0, half)
    ca[:, 1] = -half
    cols = {
        "current_account": ca,
        "gdp": gdp,
        "gdp_ppp": gdp,
        "labor_force": np.full((t.size, 3), 10.0),
        "reserves": np.ones((t.size, 3)),
        "imports": np.full((t.size, 3), 12.0),
        "net_foreign_assets": np.zeros((t.size, 3)),
    }
    return hand_results(cols, ["A", "B", "C"])


def test_cycle_table_names_who_held_and_who_gained_the_surplus():
    res = migrating_world()
    a = analyse(res)
    c = a.cycles
    # troughs at 0, 40, ..., 240; the series' ends are never turning points: 4 full cycles
    assert a.tp.troughs.tolist() == [40, 80, 120, 160, 200]
    assert a.tp.peaks.tolist() == [20, 60, 100, 140, 180, 220]
    assert len(c) == 4
    assert c["duration_years"].tolist() == [40.0] * 4
    assert c["peak_tick"].tolist() == [60, 100, 140, 180]
    assert c["rise_years"].tolist() == [20.0] * 4
    assert (c["largest_deficit"] == "B").all()
    assert c["largest_deficit_share"].tolist() == pytest.approx(
        [-a.index.iloc[p] / 2 for p in c["peak_tick"]], rel=0.05
    )
    # surplus moves from A (rise) to C (fall) in every cycle: C gains the whole share, A loses it
    assert (c["surplus_gainer"] == "C").all() and (c["surplus_loser"] == "A").all()
    assert c["surplus_gain"].min() > 80 and c["surplus_loss"].max() < -80
    assert summary(res)["mean_period_years"] == pytest.approx(40.0)


def test_summary_is_nan_where_undefined():
    t = 100
    cols = {
        "current_account": np.zeros((t, 2)),
        "gdp": np.ones((t, 2)),
        "gdp_ppp": np.ones((t, 2)),
        "labor_force": np.ones((t, 2)),
        "reserves": np.zeros((t, 2)),
        "imports": np.ones((t, 2)),
        "net_foreign_assets": np.zeros((t, 2)),
    }
    m = summary(hand_results(cols, ["A", "B"]))
    assert m["n_cycles"] == 0 and m["time_in_balance"] == 1.0
    for k in ("mean_period_years", "mean_amplitude", "largest_rise", "largest_fall"):
        assert math.isnan(m[k])
