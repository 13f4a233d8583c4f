"""Policy rates, portfolio flows and capital controls (sim/capital.py, docs/model.md §7.3, §7.6).

Closed forms for the flow functions, and invariants of whole runs: with full controls a
country's private claims stay constant and its current account is closed by official flows (a
floater's rate moves until the current account equals planned official purchases; a peg's
reserves take all of it); a policy rate sets the country's own rate; without a policy rate or
controls the portfolio parameters do nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim import capital
from sim.errors import ScenarioError
from sim.model import TradeModel
from tests.conftest import identical_world


def test_portfolio_flows_follow_the_excess_return_over_the_open_world_mean_and_clear():
    # incomes 100, 50, 50; the first sets a rate 2 pp above the world rate; the third is closed.
    # Open incomes 100, 50, 0: the mean excess return is 100 * 0.02 / 150 = 0.02 / 1.5, so with
    # phi = 3 the first draws 3 * 100 * (0.02 - 0.02 / 1.5) = 2 and the second supplies it.
    gap = np.array([[0.02, 0.0, 0.0]])
    income = np.array([[100.0, 50.0, 50.0]])
    controls = np.array([[0.0, 0.0, 1.0]])
    flows = capital.portfolio_inflow(gap, np.zeros_like(gap), income, controls, np.array([[3.0]]))
    np.testing.assert_allclose(flows, [[2.0, -2.0, 0.0]], rtol=1e-12, atol=1e-12)
    # expected depreciation of 2% a year cancels the gap: no flow
    dep = capital.expected_depreciation(np.array([[0.1, 0.0, 0.0]]), np.zeros((1, 3)), np.array([[0.2]]))
    none = capital.portfolio_inflow(gap, dep, income, controls, np.array([[3.0]]))
    np.testing.assert_allclose(none, 0.0, atol=1e-12)
    # everyone closed: no flows at all
    shut = capital.portfolio_inflow(gap, np.zeros_like(gap), income, np.ones((1, 3)), np.array([[3.0]]))
    assert (shut == 0.0).all()


@pytest.mark.parametrize("absorbed", [0.0, 0.7, 1.0])
def test_controls_scale_private_flows_by_one_minus_their_intensity(absorbed):
    rng = np.random.default_rng(0)
    ca, nl, inflow, plan, rint = rng.normal(size=(5, 1, 6)) * 10.0
    open_p, open_fx = capital.fx_market(ca, nl, inflow, plan, rint, np.zeros((1, 6)), np.full((1, 6), absorbed))
    for c in (0.3, 1.0):
        controls = np.full((1, 6), c)
        pressure, fx = capital.fx_market(ca, nl, inflow, plan, rint, controls, np.full((1, 6), absorbed))
        # private claims change by CA - FX - reserve interest: (1 - c) of the open-account change
        np.testing.assert_allclose(ca - fx - rint, (1.0 - c) * (ca - open_fx - rint), atol=1e-9)
        if c == 1.0:
            # the currency is pressed by the current account beyond planned official flows
            np.testing.assert_allclose(pressure, ca - plan - rint, atol=1e-12)
    np.testing.assert_allclose(open_p, ca - nl + inflow, atol=1e-12)


def _controlled_world(regime: str, controls: float) -> dict:
    doc = identical_world(3, ticks=30)
    doc["country"][1].update({"propensity_to_consume": 0.72, "exchange_rate_regime": regime, "reserves_months": 6.0})
    doc["country"][1]["capital_controls"] = controls
    doc["country"][2]["propensity_to_consume"] = 0.82
    return doc


def _table(doc: dict) -> pd.DataFrame:
    model = TradeModel(doc)
    model.run()
    ts, _ = model.recorder.tables(model)
    return ts[ts.country == "C1"].set_index("tick")


@pytest.mark.parametrize("regime", ["float", "peg"])
def test_full_controls_keep_private_claims_constant_and_official_flows_close_the_account(regime):
    ts = _table(_controlled_world(regime, 1.0))
    scale = ts.gdp.max()
    # private claims never move (C1 is no debtor: no write-down)
    assert (ts.writedown == 0).all()
    assert np.abs(ts.private_claims - ts.private_claims.iloc[0]).max() <= 1e-9 * scale
    assert np.abs(ts.private_capital_inflow).max() <= 1e-9 * scale
    # so the whole current account becomes reserves: Delta reserves = CA dt every tick
    d_res = ts.reserves.diff().iloc[1:]
    np.testing.assert_allclose(d_res.to_numpy(), ts.current_account.iloc[1:].to_numpy(), rtol=0, atol=1e-9 * scale)
    open_ts = _table(_controlled_world(regime, 0.0))
    assert (open_ts.current_account / open_ts.gdp).iloc[-5:].mean() > 0.01  # a real surplus to close
    if regime == "peg":
        # the peg holds: the rate never moves and reserves take the surplus
        assert (ts.exchange_rate == ts.exchange_rate.iloc[0]).all()
        assert ts.reserves.iloc[-1] > open_ts.reserves.iloc[-1]
    else:
        # the floater's rate moves until the current account equals official purchases beyond
        # those planned (none planned): the surplus the central bank must buy shrinks toward zero
        # (slowly: the slack it leaves lowers wages too, a real depreciation that works against it;
        # in this world it is under 0.1% of GDP after about 80 years)
        share = (ts.fx_purchases / ts.gdp).abs()
        assert share.iloc[-1] < 0.35 * share.iloc[:3].max()
        assert (np.diff(share.iloc[5:].to_numpy()) < 0).all()
        assert ts.exchange_rate.iloc[-1] > 1.05 * open_ts.exchange_rate.iloc[-1]  # it appreciated more


def test_partial_controls_lie_between_open_and_closed():
    open_ts = _table(_controlled_world("float", 0.0))
    half = _table(_controlled_world("float", 0.5))
    moved = half.private_claims.iloc[5] - half.private_claims.iloc[0]
    assert 0 < moved < open_ts.private_claims.iloc[5] - open_ts.private_claims.iloc[0]


def test_a_policy_rate_sets_the_countrys_own_rate_and_draws_inflows():
    doc = identical_world(3, ticks=6)
    doc["country"][1]["policy_rate"] = 0.06
    model = TradeModel(doc)
    model.run()
    ts, _ = model.recorder.tables(model)
    c1, c2 = ts[ts.country == "C1"], ts[ts.country == "C2"]
    assert (c1.policy_rate == 0.06).all()
    np.testing.assert_array_equal(c1.borrowing_rate.to_numpy(), (0.06 + c1.premium).to_numpy())
    np.testing.assert_array_equal(c2.policy_rate.to_numpy(), c2.world_interest_rate.to_numpy())
    assert (c1.portfolio_inflow > 0).all() and (c2.portfolio_inflow < 0).all()
    by_tick = ts.groupby("tick").portfolio_inflow.sum().abs()
    assert (by_tick <= 1e-12 * ts.groupby("tick").gdp.sum()).all()  # the flows clear
    # the rate-raising floater appreciates against the others (identical start: equal rates)
    assert (c1.exchange_rate.iloc[1:].to_numpy() > c2.exchange_rate.iloc[1:].to_numpy()).all()


def test_without_policy_rates_or_controls_the_portfolio_parameters_change_nothing():
    doc = identical_world(3, ticks=8)
    doc["country"][1]["propensity_to_consume"] = 0.7
    base = _table(doc)
    doc["world"]["finance"]["portfolio_sensitivity"] = 9.0
    doc["country"][2]["capital_controls"] = 0.0
    pd.testing.assert_frame_equal(base, _table(doc), check_exact=True)
    assert (base.portfolio_inflow == 0).all()


def test_controls_on_a_reserve_issuer_are_refused_with_the_reason():
    doc = identical_world(3, ticks=4)
    doc["country"][0]["capital_controls"] = 0.5
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(doc)
    (where, why), *_ = info.value.problems
    assert where == "country.C0.capital_controls" and "reserve issuer" in why
    doc = identical_world(3, ticks=4)
    doc["event"] = [{"tick": 2, "set": {"country.C0.capital_controls": 1.0}}]
    with pytest.raises(ScenarioError, match="C0.capital_controls"):
        sim.load_scenario(doc)
