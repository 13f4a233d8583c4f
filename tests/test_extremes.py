"""Extreme but legal parameters: each world runs 20 ticks with every logged value finite and the
accounting identities intact — or, where the economics really breaks down, stops with a
SimulationError naming the tick, the country and the quantity.

The guards these cases needed (``docs/reliability.md`` explains each):

- catch-up closes at most the whole gap to the frontier in a tick (``development.catch_up``);
- a balanced start whose rates or prices overflowed is an error (``start.solve_balanced_start``);
- exchange rates, prices and full-capacity income must stay positive and finite, checked right
  after production, and GDP positive, checked with the flow identities (``accounts.check_positive``).
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

import sim
from sim import accounts, development
from sim.errors import SimulationError
from sim.results import Results
from sim.scenario import apply_overrides, load_toml
from sim.worlds import synthetic_document
from tests.conftest import ROOT, two_country

TICKS = 20
BASELINE = load_toml(ROOT / "scenarios" / "baseline.toml")
BASELINE["simulation"]["ticks"] = TICKS
SECTORS = BASELINE["world"]["sectors"]


def baseline(**overrides) -> dict:
    return apply_overrides(copy.deepcopy(BASELINE), overrides)


def check_tables(res: Results) -> None:
    """Every logged number finite; world exports = imports, current accounts and net foreign
    assets sum to zero at every logged tick (1e-9 of world GDP + trade)."""
    for table in (res.timeseries, res.bilateral):
        numbers = table.select_dtypes("number").to_numpy(dtype=float)
        assert np.isfinite(numbers).all(), "a logged value is NaN or infinite"
    by_tick = res.timeseries.groupby("tick", observed=True)
    world = by_tick["gdp"].sum() + by_tick["exports"].sum()
    for gap in (
        by_tick["exports"].sum() - by_tick["imports"].sum(),
        by_tick["current_account"].sum(),
        by_tick["net_foreign_assets"].sum(),
    ):
        assert (gap.abs() <= 1e-9 * world).all()


def run_or_named_error(doc: dict) -> Results | SimulationError:
    """Run ``doc``: either finite tables with intact identities, or a SimulationError that
    names the tick, a country (or the world) and the quantity in its message."""
    names = [c["name"] for c in doc["country"]]
    try:
        res = sim.simulate(doc)
    except SimulationError as exc:
        assert 0 <= exc.tick < doc["simulation"]["ticks"]
        assert exc.country in [*names, "world"] and exc.quantity
        assert f"tick {exc.tick}" in str(exc) and exc.country in str(exc) and exc.quantity in str(exc)
        return exc
    check_tables(res)
    assert res.timeseries["tick"].max() == doc["simulation"]["ticks"] - 1
    return res


def trade_share(res: Results) -> float:
    ts = res.timeseries
    return float(ts["imports"].sum() / ts["gdp"].sum())


# ----------------------------------------------------------------------------- the legal extremes

LEGAL = {
    "elasticity_1.01": {"world.elasticity": 1.01},
    "elasticity_50": {"world.elasticity": 50.0},
    "elasticity_200_max": {"world.elasticity": 200.0},
    "trade_cost_0": {"world.trade_cost": 0.0},
    "trade_cost_100_max": {"world.trade_cost": 100.0},
    "almost_no_labor": {"country.India.labor_force": 1e-6},  # one worker
    "tariffs_100pct_everywhere": {f"country.{c['name']}.tariffs": {"*": 1.0} for c in BASELINE["country"]},
    "every_export_blocked": {
        f"country.{c['name']}.export_controls": {s: {"destinations": ["*"]} for s in SECTORS}
        for c in BASELINE["country"]
    },
}


@pytest.mark.parametrize("case", LEGAL)
def test_legal_extremes_run_finite_with_identities(case):
    res = run_or_named_error(baseline(**LEGAL[case]))
    assert isinstance(res, Results), f"{case} stopped: {res}"


def test_trade_responds_to_the_extreme_trade_costs_as_it_must():
    free = trade_share(sim.simulate(baseline(**{"world.trade_cost": 0.0})))
    normal = trade_share(sim.simulate(baseline()))
    prohibitive = trade_share(sim.simulate(baseline(**{"world.trade_cost": 100.0})))
    # iceberg factor 101 at sigma 4 multiplies an import's weight by 101**-3 ~ 1e-6
    assert free > normal > prohibitive and prohibitive < 1e-4


def test_with_every_export_blocked_nothing_is_traded_and_accounts_are_interest_only():
    res = sim.simulate(baseline(**LEGAL["every_export_blocked"]))
    ts = res.timeseries
    assert (ts["exports"] == 0).all() and (ts["imports"] == 0).all()
    np.testing.assert_allclose(ts["current_account"], ts["net_investment_income"], rtol=0, atol=1e-9)
    assert (res.bilateral.query("origin != destination")["value"] == 0).all()


def test_with_100pct_tariffs_every_import_pays_them():
    res = sim.simulate(baseline(**LEGAL["tariffs_100pct_everywhere"]))
    ts = res.timeseries
    # tariff revenue is 100% of imports at producer prices, whatever the import volumes
    np.testing.assert_allclose(ts["tariff_revenue"], ts["imports"], rtol=1e-9)
    assert (ts["mean_tariff"] == 1.0).all()


def test_a_country_with_one_worker_is_negligible_but_finite():
    ts = sim.simulate(baseline(**LEGAL["almost_no_labor"])).timeseries
    india = ts[ts["country"] == "India"]
    assert (india["gdp"] > 0).all()
    assert (india["gdp"].to_numpy() < 1e-6 * ts.groupby("tick", observed=True)["gdp"].sum().to_numpy()).all()


def test_one_country_trades_with_nobody():
    doc = baseline()
    doc["country"] = doc["country"][:1]
    res = run_or_named_error(doc)
    assert isinstance(res, Results)
    ts = res.timeseries
    assert (ts["exports"] == 0).all() and (ts["current_account"] == 0).all()


@pytest.mark.parametrize("n", [100, 300])
def test_many_countries(n):
    doc = synthetic_document(n, 3, 1, ticks=TICKS)
    res = run_or_named_error(doc)
    assert isinstance(res, Results), res
    assert res.timeseries["country"].nunique() == n


# ----------------------------------------------------------------------------- where the economics breaks down

BREAKDOWNS = {
    # a catching-up country jumping to the frontier in one tick: wages cannot follow
    "catch_up_at_every_limit": {
        "country.Poor.productivity": 1e-4,
        "country.Poor.catchup_speed": 20.0,
        "world.development.catchup_speed": 5.0,
    },
    "frontier_racing": {"world.development.frontier_growth": 0.2, "world.development.catchup_speed": 5.0},
    # ten innovations a year, each multiplying a sector's productivity by e (at size 3, 20 ticks
    # would raise levels by e**600: refused at load, tests/test_scale.py)
    "innovation_storm": {
        "world.development.innovation_rate": 10.0,
        "world.development.innovation_size": 1.0,
        "world.development.noise_sd": 0.2,
    },
    "productivity_1e-300": {"country.Poor.productivity": 1e-300},
    "wage_far_above_productivity": {"country.Poor.wage": 1e4},
}


@pytest.mark.parametrize("case", BREAKDOWNS)
def test_breakdowns_stop_with_an_error_naming_tick_country_and_quantity(case):
    doc = apply_overrides(two_country(), {"simulation.ticks": TICKS, **BREAKDOWNS[case]})
    with np.errstate(all="ignore"):
        out = run_or_named_error(doc)
    if isinstance(out, SimulationError):
        # the error is raised where the quantity first leaves its range, not at a later NaN
        assert "nan" not in str(out).lower(), out


def test_catch_up_never_passes_the_frontier_and_is_unchanged_below_the_cap():
    rng = np.random.default_rng(0)
    log_base = np.log(rng.uniform(1e-4, 1.0, (6, 4)))
    frontier = np.zeros(4)
    for speed, dt in ((100.0, 1.0), (20.0, 0.25), (1e6, 1.0)):
        nxt = development.catch_up(log_base, frontier, np.full(6, speed), 0.3, 0.0, dt, True)
        assert (nxt <= frontier + 1e-15).all() and (nxt >= log_base).all()
    # at ordinary speeds the cap does not bind and the step is the formula of docs/model.md
    speed = np.full(6, 0.05)
    gap = frontier - log_base
    expected = log_base + 1.0 * (0.015 + speed[:, None] * gap * gap / (gap + 0.3))
    got = development.catch_up(log_base, frontier, speed, 0.3, 0.015, 1.0, True)
    assert np.array_equal(got, expected)


def test_check_positive_names_the_first_bad_country_and_quantity():
    names = ["A", "B", "C"]
    accounts.check_positive(0, names, price=np.ones((3, 2)), full_income=np.array([1.0, 2.0, 3.0]))
    with pytest.raises(SimulationError) as info:
        accounts.check_positive(7, names, price=np.ones((3, 2)), full_income=np.array([1.0, -2.0, np.nan]))
    assert (info.value.tick, info.value.country, info.value.quantity) == (7, "B", "full_income")
    with pytest.raises(SimulationError) as info:
        accounts.check_positive(3, names, price=np.array([[1.0, 1.0], [1.0, 1.0], [np.inf, 1.0]]))
    assert (info.value.country, info.value.quantity) == ("C", "price")


def test_a_diverging_balanced_start_is_an_error_not_nan_rates():
    doc = apply_overrides(two_country(), {"country.Poor.wage": 1e4, "simulation.ticks": 2})
    with np.errstate(all="ignore"):
        try:
            model = sim.TradeModel(doc)
        except SimulationError as exc:
            assert (
                exc.tick == 0
                and exc.country in ("Rich", "Poor")
                and exc.quantity in ("exchange_rate", "balanced_start")
            )
            assert "nan" not in str(exc).lower()
        else:  # a solver that finds this start must find a finite one
            assert np.isfinite(model.state.e).all() and np.isfinite(model.state.purchaser_price).all()


def test_tables_of_a_normal_run_pass_the_checks_used_here():
    # the checks above can fail: a table with a NaN, or with exports != imports, is caught
    res = sim.simulate(baseline(**{"simulation.ticks": 3}))
    check_tables(res)
    bad = Results(res.timeseries.copy(), res.bilateral, res.scenario, res.manifest)
    bad.timeseries.loc[0, "exports"] = np.nan
    with pytest.raises(AssertionError):
        check_tables(bad)
    bad.timeseries = res.timeseries.copy()
    bad.timeseries.loc[bad.timeseries.index[0], "exports"] += 1.0
    with pytest.raises(AssertionError):
        check_tables(bad)
    assert isinstance(bad.timeseries, pd.DataFrame)
