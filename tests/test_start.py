"""The balanced start: solved to its tolerance on every shipped scenario and on synthetic worlds
of several sizes, checked against the equations it solves (recomputed here with the market and
production functions, not with the solver's own residual), and failing clearly when no start
exists.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim import market, production
from sim.errors import SimulationError
from sim.start import BalancedStart, solve_balanced_start
from sim.worlds import synthetic_document
from tests.conftest import SCENARIOS, two_country

TOL = 1e-12


def start_inputs(scenario) -> tuple:
    """The arguments the model passes to the solver, rebuilt from a freshly built model."""
    model = sim.TradeModel(scenario)
    st = model.view(0)
    prod = np.exp(st.log_base)  # no noise and no innovation yet at set-up
    cap = production.capacity(prod, st.alloc, st.labor)
    wp = model.wp
    markup = float(wp.markup[0, 0])
    return (st.wage, prod, cap, wp.a[0], wp.budget[0], markup, model.factors, model.anchor, model.names)


def equation_errors(b: BalancedStart, args: tuple) -> dict[str, float]:
    """How far the solution is from each equation of the start (relative errors)."""
    wage, prod, cap, a, budget, markup, factors, anchor, _ = args
    n, s1 = cap.shape
    s = s1 - 1
    icost = production.input_cost(b.purchaser_price, a)
    price = production.producer_prices(wage * b.e, prod, icost, markup, np.zeros(n))
    weight = (cap[:, :s] / cap[:, :s].sum(axis=0)).T
    pi = market.price_index(factors, weight, price[:, :s].T)
    purchaser = np.concatenate([pi.price.T, price[:, s:]], axis=1)
    absorption = production.full_income(cap, price, icost, b.output, b.tariff)
    spend = absorption[:, None] * budget[None, :] + b.output @ a.T * purchaser
    agg = market.trade_flows(factors, pi, spend[:, :s].T)
    revenue = np.concatenate([agg.revenue.T, spend[:, s:]], axis=1)
    world = float(absorption.sum())
    return {
        "anchor rate": abs(float(b.e[anchor]) - 1.0),
        "log utilisation": float(np.max(np.abs(np.log(revenue.sum(axis=1) / (price * cap).sum(axis=1))))),
        "purchaser prices": float(np.max(np.abs(purchaser / b.purchaser_price - 1.0))),
        "producer prices": float(np.max(np.abs(price / b.price - 1.0))),
        "outputs": float(np.max(np.abs(revenue / price - b.output) / cap)),
        "tariff revenue": float(np.max(np.abs(agg.tariff.sum(axis=0) - b.tariff))) / world,
        "absorption": float(np.max(np.abs(absorption - b.absorption))) / world,
        # full capacity with E = full income: trade is balanced country by country
        "trade balance": float(np.max(np.abs(b.exports - b.imports))) / world,
        "gdp = absorption": float(np.max(np.abs(b.gdp - b.absorption))) / world,
    }


def check(args: tuple) -> BalancedStart:
    b = solve_balanced_start(*args)
    errors = equation_errors(b, args)
    bad = {k: v for k, v in errors.items() if not v < TOL}
    assert not bad, bad
    return b


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_shipped_scenario_starts_at_full_capacity_to_the_tolerance(path):
    b = check(start_inputs(path))
    assert b.iterations < 500


@pytest.mark.parametrize(
    ("n", "s", "policy"),
    [(1, 1, "none"), (2, 2, "none"), (7, 3, "dense"), (40, 4, "controls"), (150, 3, "sparse")],
)
def test_synthetic_worlds_start_at_full_capacity_to_the_tolerance(n, s, policy):
    doc = synthetic_document(n, s, seed=n + s, ticks=5)
    rng = np.random.default_rng(n)
    names = [c["name"] for c in doc["country"]]
    for i, c in enumerate(doc["country"]):
        if policy == "dense":  # every country taxes every import, the issuer too
            c["tariffs"] = {"*": float(rng.uniform(0.0, 0.3))}
        elif policy == "controls" and i % 5 == 1:  # bans and quotas
            c["export_controls"] = {
                "s0": {"destinations": [names[(i + 1) % n]]},
                "s1": {"destinations": [names[(i + 2) % n]], "allowed_share": 0.4},
            }
    check(start_inputs(doc))


def test_the_start_does_not_depend_on_which_solver_path_found_it():
    # the nested fallback (rates by damped steps, prices and outputs solved for each trial)
    # reaches the same start as the joint accelerated iteration
    args = start_inputs(two_country())
    joint = solve_balanced_start(*args)
    from sim import start as start_module

    original = start_module._anderson
    calls = {"n": 0}

    def no_joint(g, z, tol, budget, patience, memory=8):
        calls["n"] += 1
        if calls["n"] == 1:  # the joint iteration gives up at once
            return z, g(z), np.inf, 1
        return original(g, z, tol, budget, patience, memory)

    start_module._anderson = no_joint
    try:
        nested = solve_balanced_start(*args)
    finally:
        start_module._anderson = original
    assert calls["n"] > 1
    assert not equation_errors(nested, args)["log utilisation"] > TOL
    np.testing.assert_allclose(nested.e, joint.e, rtol=1e-10)
    np.testing.assert_allclose(nested.purchaser_price, joint.purchaser_price, rtol=1e-10)


def test_a_world_without_a_start_fails_with_the_country_and_a_bounded_effort():
    # a tiny country behind a 47% tariff imports most of its inputs: however far its currency
    # falls its prices stay above what its capacity could sell (utilisation stays below 0.88)
    doc = {
        "simulation": {"name": "no_start", "ticks": 5},
        "world": {"sectors": ["s0"], "elasticity": 1.52, "trade_cost": 0.75},
        "country": [
            {"name": "Big", "labor_force": 31.0, "productivity": {"s0": 1.15, "services": 1.0}, "tariffs": {"*": 0.11}},
            {
                "name": "Tiny",
                "labor_force": 7.0,
                "productivity": {"s0": 0.0234, "services": 0.0213},
                "tariffs": {"*": 0.47},
            },
        ],
    }
    for c in doc["country"]:
        c["labor_shares"] = {"s0": 0.37, "services": 0.63}
    with pytest.raises(SimulationError) as err:
        sim.TradeModel(doc)
    assert err.value.quantity == "balanced_start" and err.value.country == "Tiny"
    assert "evaluations" in str(err.value)


def test_the_evaluation_budget_is_respected():
    args = start_inputs(two_country())
    with pytest.raises(SimulationError, match="after [0-9]+ evaluations"):
        solve_balanced_start(*args, max_evaluations=3)


def test_a_country_with_capacity_only_where_nobody_buys_is_named():
    doc = two_country()
    doc["world"]["budget_shares"] = {"labor": 0.0, "hightech": 0.2, "primary": 0.1, "services": 0.7}
    doc["world"]["inputs"] = {s: {} for s in ("labor", "hightech", "primary", "services")}
    doc["country"][1]["labor_shares"] = {"labor": 1.0, "hightech": 0.0, "primary": 0.0, "services": 0.0}
    with pytest.raises(SimulationError, match="no final demand") as err:
        sim.TradeModel(doc)
    assert err.value.country == "Poor"
