"""Governments (sim/fiscal.py): closed forms and invariants stated before running.

- At a given interest rate, planned absorption rises by exactly (1 - omega) of the fiscal
  deficit G + iD - T, whatever its composition (households pay taxes net of the interest they
  receive and save omega of the deficit).
- With omega = 1 (full Ricardian offset) a fiscal expansion moves nothing but the fiscal
  accounts: the current account, the world rate and trade are those of the run without it.
- With a government the world rate still clears desired lending every tick.
- The fiscal rule closes 1 - exp(-speed dt) of the gap each tick, so a constant gap decays as
  exp(-speed t); in a run the balance ends near its target.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import sim
from sim import demand, fiscal
from tests.conftest import identical_world


def _plan(gov: float | np.ndarray = 0.0, fiscal_cons: float | np.ndarray = 0.0) -> demand.DemandPlan:
    rng = np.random.default_rng(0)
    n = 4
    one = np.ones((1, n))
    income = 100.0 * (1.0 + rng.random((1, n)))
    return demand.DemandPlan(
        cons_base=0.78 * income,
        cons_floor=0.2 * 0.78 * income,
        wealth=rng.normal(size=(1, n)),
        inv_base=0.22 * income,
        inv_fixed=0.0 * one,
        credit=0.0 * one,
        spread=0.01 * rng.random((1, n)),
        r0=np.array([[0.03]]),
        eps_c=np.array([[2.0]]),
        eps_i=np.array([[4.0]]),
        income=income,
        fx_plan=0.0 * one,
        ceiling=np.full((1, n), np.inf),
        floor_share=0.0 * one,
        gov=gov,
        fiscal_cons=fiscal_cons,
    )


@pytest.mark.parametrize("omega", [0.0, 0.4, 1.0])
def test_absorption_rises_by_one_minus_omega_of_the_deficit_at_a_given_rate(omega):
    income = _plan().income
    spending = np.array([[0.2, 0.0, 0.25, 0.1]])
    tax = np.array([[0.2, 0.1, 0.15, 0.0]])
    debt = np.array([[50.0, 0.0, 120.0, -30.0]])  # the last: net public assets
    rate = np.array([[0.03, 0.04, 0.05, 0.02]])
    gov = fiscal.flows(spending, tax, np.zeros((1, 4)), debt, rate, income, np.array([[omega]]))
    deficit = spending * income + rate * debt - tax * income
    np.testing.assert_allclose(-gov.balance, deficit, rtol=1e-13)
    for r in (0.0, 0.03, 0.07):
        c0, i0, e0, d0 = _plan().at(r)
        c1, i1, e1, d1 = _plan(gov.spending, gov.consumption).at(r)
        np.testing.assert_allclose(e1 - e0, (1.0 - omega) * deficit, rtol=0, atol=1e-10)
        # private saving out of disposable income (income - T + iD) rises by omega of the deficit
        saving0 = income - c0
        saving1 = income - tax * income + rate * debt - c1
        np.testing.assert_allclose(saving1 - saving0, omega * deficit, rtol=0, atol=1e-10)
        np.testing.assert_array_equal(i1, i0)
        np.testing.assert_array_equal(d1, d0)  # the fiscal terms do not depend on the rate


def _us_expansion(omega: float, ticks: int = 25) -> tuple[sim.Results, sim.Results]:
    doc = identical_world(3, ticks=ticks)
    doc["world"]["demand"] = {"ricardian_offset": omega}
    doc["world"]["finance"]["issuer_privilege"] = 0.01
    doc["country"][1]["exchange_rate_regime"] = "managed"
    doc["country"][0]["government"] = {"spending": 0.2, "tax": 0.2, "debt": 0.5}
    base = sim.simulate(copy.deepcopy(doc))
    doc["event"] = [{"tick": 5, "set": {"country.C0.government.spending": 0.25}}]
    return base, sim.simulate(doc)


def test_full_ricardian_offset_leaves_the_current_account_and_the_world_rate_unchanged():
    base, arm = _us_expansion(1.0)
    assert (arm.series("fiscal_balance")["C0"].iloc[5:] < base.series("fiscal_balance")["C0"].iloc[5:] - 1).all()
    for col in ("current_account", "exports", "imports", "investment", "net_foreign_assets", "exchange_rate"):
        a, b = base.series(col).to_numpy(), arm.series(col).to_numpy()
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9 * base.series("gdp").to_numpy().max(), err_msg=col)
    np.testing.assert_allclose(
        arm.series("world_interest_rate").to_numpy(), base.series("world_interest_rate").to_numpy(), atol=1e-12
    )


def test_a_partial_offset_widens_the_deficit_by_a_fraction_and_raises_the_world_rate():
    base, arm = _us_expansion(0.4)
    window = slice(5, 15)
    d_ca = (arm.share_of_gdp("current_account")["C0"] - base.share_of_gdp("current_account")["C0"]).iloc[window]
    d_fb = (arm.share_of_gdp("fiscal_balance")["C0"] - base.share_of_gdp("fiscal_balance")["C0"]).iloc[window]
    ratio = d_ca.mean() / d_fb.mean()
    assert 0.0 < ratio < 0.6, ratio  # below (1 - omega): the world rate crowds out abroad too
    d_rate = arm.series("world_interest_rate").iloc[window, 0] - base.series("world_interest_rate").iloc[window, 0]
    assert (d_rate > 0).all()
    # the counterpart: the other countries' current accounts rise
    others = (arm.series("current_account") - base.series("current_account")).iloc[window][["C1", "C2"]]
    assert (others.sum(axis=1) > 0).all()


def test_the_world_rate_still_clears_desired_lending_with_governments():
    _, arm = _us_expansion(0.2)
    ts = arm.timeseries
    by_tick = ts.groupby("tick", observed=True)
    total = by_tick["desired_lending"].sum().abs()
    assert (total <= 1e-10 * by_tick["gdp"].sum()).all(), total.max()


def test_the_rule_closes_a_constant_gap_exponentially():
    speed, dt = np.array([[0.5]]), 0.25
    income = np.array([[200.0]])
    target = np.array([[-0.03]])
    adjust = np.zeros((1, 1))
    before_rule = 0.02 * income  # the balance the scenario's taxes give, held constant
    for k in range(1, 41):
        adjust = fiscal.rule_step(adjust, before_rule + adjust * income, income, target, speed, dt)
        gap = target - (before_rule / income + adjust)
        np.testing.assert_allclose(gap, -0.05 * np.exp(-0.5 * k * dt), rtol=1e-12)
    # no target: the adjustment stays where it is
    assert fiscal.rule_step(adjust, before_rule, income, np.array([[np.nan]]), speed, dt) == adjust


def test_a_run_with_a_balance_target_ends_near_it():
    doc = identical_world(3, ticks=30)
    doc["country"][2]["government"] = {"spending": 0.22, "tax": 0.2, "balance_target": -0.03, "debt": 0.6}
    res = sim.simulate(doc)
    share = (res.series("fiscal_balance") / res.series("full_income"))["C2"]
    assert share.iloc[0] < -0.035  # starts away from it: 2% of spending above taxes, interest on the debt
    # 30 years at speed 0.5 leave exp(-15) of the initial gap; what remains is the lag behind
    # the interest bill, which grows by about r x deficit / income = 0.001 of income a year
    assert abs(share.iloc[-1] + 0.03) < 0.005, share.iloc[-1]
