"""Every key an event may name acts from its tick or is refused at load.

One world where every mechanism runs (four countries, two reserve issuers, a managed and a
pegged currency, a debtor in a sudden stop, relocation, state lending, retaliation, household
credit, innovations, noise). For each key of the schema, the table below gives an event that
should act; the test runs the world with and without it and checks that every tick before the
event is bit-identical and that the run differs from the event's tick on. Keys that cannot act
are refused with the key path and a reason. A coverage test checks the table names every key of
the schema, so a key added later without a meaning under events fails here.
"""

from __future__ import annotations

import copy
import functools
import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim.errors import ScenarioError
from sim.events import param_fields
from sim.model import TradeModel

K = 3  # the event's tick
TICKS = 8


def world() -> dict:
    return {
        "simulation": {"name": "keys", "ticks": TICKS, "seed": 4, "start_year": 2000},
        "world": {
            "trade_cost": 0.5,
            "reserve_issuers": ["A", "B"],
            "development": {
                "noise_sd": 0.01,
                "innovation_rate": 4.0,
                "relocation_rate": 0.3,
                "relocation_threshold": 0.05,
            },
            "finance": {"sudden_stop_debt": 0.5, "default_debt": 5.0},
        },
        "country": [
            {"name": "A", "labor_force": 100.0, "productivity": 1.0, "reserves_months": 2.0},
            {
                "name": "B",
                "labor_force": 80.0,
                "productivity": 0.9,
                "reserves_months": 3.0,
                "retaliation": {},
                "household_credit": 0.05,
                "tariffs": {"C": 0.1},
                "export_controls": {"hightech": {"destinations": ["C"], "allowed_share": 0.5}},
            },
            {
                "name": "C",
                "labor_force": 300.0,
                "productivity": 0.3,
                "exchange_rate_regime": "managed",
                "undervaluation": 0.1,
                "reserves_months": 3.0,
                "reserve_target_months": 8.0,
                "state_lending": {"labor": 0.3},
                "export_credit": 0.05,
                "unit_cost_cut": 0.05,
                "settlement": {"A": 0.5, "B": 0.5},
            },
            {"name": "D", "labor_force": 50.0, "productivity": 0.5, "net_foreign_assets": -1.4},
            {
                "name": "E",
                "labor_force": 40.0,
                "productivity": 0.6,
                "exchange_rate_regime": "peg",
                "reserves_months": 6.0,
            },
        ],
    }


GOVERNMENT = {"country.B.government": {"spending": 0.2, "tax": 0.15, "debt": 0.5}}

# key pattern -> (operation, key path, value, overrides of the world for both runs)
ACTS: dict[str, tuple] = {
    "world.elasticity": ("set", "world.elasticity", 6.0, {}),
    "world.budget_shares": (
        "set",
        "world.budget_shares",
        {"labor": 0.2, "hightech": 0.1, "primary": 0.05, "services": 0.65},
        {},
    ),
    "world.inputs": ("set", "world.inputs.labor.primary", 0.2, {}),
    "world.trade_cost": ("set", "world.trade_cost", 0.3, {}),
    "world.trade_costs": ("set", "world.trade_costs", [{"origin": "A", "destination": "C", "cost": 0.1}], {}),
    "world.pair_costs": ("set", "world.pair_costs.A.C", 0.1, {}),
    "world.regions": (
        "set",
        "world.regions.East",
        ["C", "E"],
        {"world.regions": {"East": ["C"]}, "world.region_costs": {"East": {"East": 0.1}}},
    ),
    "world.region_costs": ("set", "world.region_costs.East.East", 0.1, {"world.regions": {"East": ["C", "E"]}}),
    "world.prices.markup": ("set", "world.prices.markup", 0.3, {}),
    "world.prices.price_response": ("set", "world.prices.price_response", 2.0, {}),
    "world.prices.price_adjustment": ("set", "world.prices.price_adjustment", 5.0, {}),
    "world.prices.wage_response": ("set", "world.prices.wage_response", 1.0, {}),
    "world.prices.wage_lag": ("set", "world.prices.wage_lag", 3.0, {}),
    "world.demand.habit": ("set", "world.demand.habit", 0.9, {}),
    "world.demand.habit_speed": ("set", "world.demand.habit_speed", 2.0, {}),
    "world.demand.wealth_effect": ("set", "world.demand.wealth_effect", 0.2, {}),
    "world.demand.interest_sensitivity": ("set", "world.demand.interest_sensitivity", 8.0, {}),
    "world.demand.investment_interest_sensitivity": ("set", "world.demand.investment_interest_sensitivity", 9.0, {}),
    "world.demand.investment_growth_response": ("set", "world.demand.investment_growth_response", 8.0, {}),
    "world.demand.consumption_floor": ("set", "world.demand.consumption_floor", 1.0, {}),
    "world.demand.consumption_drift": ("set", "world.demand.consumption_drift", 0.1, {}),
    "world.demand.ricardian_offset": ("set", "world.demand.ricardian_offset", 0.9, GOVERNMENT),
    "world.finance.interest_rate": ("set", "world.finance.interest_rate", 0.05, {}),
    "world.finance.rate_bounds": ("set", "world.finance.rate_bounds", [0.1, 0.2], {}),
    "world.finance.premium_threshold": ("set", "world.finance.premium_threshold", 0.1, {}),
    "world.finance.premium_slope": ("set", "world.finance.premium_slope", 0.2, {}),
    "world.finance.premium_cap": ("set", "world.finance.premium_cap", 0.01, {}),
    "world.finance.issuer_privilege": ("set", "world.finance.issuer_privilege", 0.05, {}),
    "world.finance.sudden_stop_debt": ("set", "world.finance.sudden_stop_debt", 0.3, {}),
    "world.finance.stop_floor": (
        "set",
        "world.finance.stop_floor",
        1.0,
        {"country.D.propensity_to_consume": 0.95, "country.D.investment_rate": 0.3},
    ),
    # a stop or a default that starts after the event, by a later event of both runs
    "world.finance.stop_depreciation": (
        "set",
        "world.finance.stop_depreciation",
        0.5,
        {
            "world.finance.sudden_stop_debt": 4.0,
            "event": [{"tick": K + 1, "set": {"world.finance.sudden_stop_debt": 0.5}}],
        },
    ),
    # a stop (of the borrowing B) that starts after the event and whose debt limit is lifted a
    # tick later: it ends then, unless it is held for its least length
    "world.finance.stop_years": (
        "set",
        "world.finance.stop_years",
        3.0,
        {
            "world.finance.sudden_stop_debt": 4.0,
            "event": [
                {"tick": K + 1, "set": {"world.finance.sudden_stop_debt": 0.3}},
                {"tick": K + 2, "set": {"world.finance.sudden_stop_debt": 4.0}},
            ],
        },
    ),
    "world.finance.default_debt": ("set", "world.finance.default_debt", 0.6, {}),
    "world.finance.writedown": (
        "set",
        "world.finance.writedown",
        0.9,
        {"event": [{"tick": K + 1, "set": {"world.finance.default_debt": 0.6}}]},
    ),
    "world.finance.portfolio_sensitivity": (
        "set",
        "world.finance.portfolio_sensitivity",
        8.0,
        {"country.D.policy_rate": 0.06},
    ),
    "world.finance.expectation_reversion": ("set", "world.finance.expectation_reversion", 0.3, {}),
    "world.exchange_rate.adjustment": ("set", "world.exchange_rate.adjustment", 8.0, {}),
    "world.exchange_rate.managed_share": ("set", "world.exchange_rate.managed_share", 0.2, {}),
    "world.development.frontier_growth": ("set", "world.development.frontier_growth", 0.05, {}),
    "world.development.catchup_speed": ("set", "world.development.catchup_speed", 0.2, {}),
    "world.development.catchup_curvature": ("set", "world.development.catchup_curvature", 3.0, {}),
    "world.development.absorptive_elasticity": ("set", "world.development.absorptive_elasticity", 3.0, {}),
    "world.development.capability_threshold": (
        "set",
        "world.development.capability_threshold",
        1.0,
        {"country.C.capability": 0.4},
    ),
    "world.development.noise_sd": ("set", "world.development.noise_sd", 0.05, {}),
    "world.development.noise_persistence": ("set", "world.development.noise_persistence", 0.0, {}),
    "world.development.innovation_rate": ("set", "world.development.innovation_rate", 0.0, {}),
    "world.development.innovation_size": ("set", "world.development.innovation_size", 1.0, {}),
    "world.development.innovation_scope": ("set", "world.development.innovation_scope", "traded", {}),
    "world.development.adoption_speed": ("set", "world.development.adoption_speed", 2.0, {}),
    "world.development.innovator_adoption": ("set", "world.development.innovator_adoption", 0.5, {}),
    "world.development.uneven": ("set", "world.development.uneven", False, {}),
    "world.development.relocation_rate": ("set", "world.development.relocation_rate", 1.0, {}),
    "world.development.relocation_sector": ("set", "world.development.relocation_sector", "primary", {}),
    "world.development.relocation_threshold": ("set", "world.development.relocation_threshold", 0.5, {}),
    "world.development.relocation_scale": ("set", "world.development.relocation_scale", 0.05, {}),
    "world.development.relocation_technology": ("set", "world.development.relocation_technology", 1.0, {}),
    "world.development.relocation_upgrade": ("set", "world.development.relocation_upgrade", 0.0, {}),
    "world.development.upgrade_sector": ("set", "world.development.upgrade_sector", "primary", {}),
    "world.development.relocation_absorption": ("set", "world.development.relocation_absorption", 0.5, {}),
    "world.development.relocation_utilisation": ("set", "world.development.relocation_utilisation", 0.5, {}),
    "world.development.fdi_return": ("set", "world.development.fdi_return", 0.5, {}),
    "world.development.fdi_capital_output": ("set", "world.development.fdi_capital_output", 10.0, {}),
    "world.policy.pull_forward": (
        "set",
        "world.policy.pull_forward",
        2.0,
        {"event": [{"tick": K + 3, "announce_ticks": 4, "set": {"country.A.tariffs.C": 0.5}}]},
    ),
    "world.policy.lending_cost_effect": ("set", "world.policy.lending_cost_effect", 1.5, {}),
    "world.policy.lending_capacity_effect": ("set", "world.policy.lending_capacity_effect", 3.0, {}),
    "world.policy.capacity_depreciation": ("set", "world.policy.capacity_depreciation", 0.5, {}),
    "world.policy.firm_repayment": ("set", "world.policy.firm_repayment", 0.9, {}),
    "world.policy.default_loss_years": (
        "set",
        "world.policy.default_loss_years",
        0.5,
        {"country.C.state_lending": {"labor": 1.0, "hightech": 1.0, "primary": 1.0}},
    ),
    "world.structure.reallocation_speed": ("set", "world.structure.reallocation_speed", 2.0, {}),
    "world.structure.income_elasticity": ("set", "world.structure.income_elasticity.services", 3.0, {}),
    "country.<name>.labor_force": ("scale", "country.C.labor_force", 1.2, {}),
    "country.<name>.labor_growth": ("set", "country.C.labor_growth", 0.05, {}),
    "country.<name>.productivity": ("scale", "country.C.productivity.labor", 0.8, {}),
    "country.<name>.labor_shares": (
        "set",
        "country.C.labor_shares",
        {"labor": 0.3, "hightech": 0.1, "primary": 0.1, "services": 0.5},
        {},
    ),
    "country.<name>.wage": ("scale", "country.C.wage", 1.1, {}),
    "country.<name>.propensity_to_consume": ("set", "country.C.propensity_to_consume", 0.6, {}),
    "country.<name>.investment_rate": ("set", "country.C.investment_rate", 0.4, {}),
    "country.<name>.exchange_rate_regime": ("set", "country.C.exchange_rate_regime", "float", {}),
    "country.<name>.catchup_speed": ("set", "country.C.catchup_speed", 3.0, {}),
    "country.<name>.capability": ("set", "country.C.capability", 0.1, {}),
    "country.<name>.settlement": ("set", "country.C.settlement", {"A": 1.0}, {}),
    "country.<name>.reserve_target_months": ("set", "country.C.reserve_target_months", 120.0, {}),
    "country.<name>.reserve_adjustment": (
        "set",
        "country.C.reserve_adjustment",
        3.0,
        {"country.C.reserve_target_months": 120.0},
    ),
    "country.<name>.undervaluation": ("set", "country.C.undervaluation", -0.1, {}),
    "country.<name>.crawl": ("set", "country.C.crawl", 0.1, {}),
    "country.<name>.policy_rate": ("set", "country.D.policy_rate", 0.07, {}),
    "country.<name>.capital_controls": ("set", "country.C.capital_controls", 1.0, {}),
    # C's managed rate moves every tick: its own-currency debts are revalued from the event on
    "country.<name>.liabilities_own_currency": ("set", "country.C.liabilities_own_currency", 1.0, {}),
    "country.<name>.gross_liabilities": (
        "set",
        "country.C.gross_liabilities",
        3.0,
        {"country.C.liabilities_own_currency": 1.0, "country.B.liabilities_own_currency": 1.0},
    ),
    "country.<name>.export_credit": ("set", "country.C.export_credit", 0.3, {}),
    "country.<name>.unit_cost_cut": ("set", "country.C.unit_cost_cut", 0.3, {}),
    "country.<name>.household_credit": ("set", "country.B.household_credit", 0.2, {}),
    "country.<name>.household_debt_limit": ("set", "country.B.household_debt_limit", 0.0, {}),
    "country.<name>.household_deleveraging": (
        "set",
        "country.B.household_deleveraging",
        0.9,
        {"country.B.household_debt_limit": 0.02},
    ),
    "country.<name>.tariffs": ("set", "country.A.tariffs.C", 0.4, {}),
    "country.<name>.export_controls": ("set", "country.A.export_controls", {"labor": {"destinations": ["*"]}}, {}),
    "country.<name>.retaliation": ("set", "country.C.retaliation", {"match": 2.0}, {}),
    "country.<name>.state_lending": ("set", "country.B.state_lending.primary", 0.5, {}),
    "country.<name>.government.spending": ("set", "country.B.government.spending", 0.3, {}),
    "country.<name>.government.tax": ("add", "country.B.government.tax", 0.05, GOVERNMENT),
    "country.<name>.government.balance_target": ("set", "country.B.government.balance_target", 0.0, GOVERNMENT),
    "country.<name>.government.adjustment_speed": (
        "set",
        "country.B.government.adjustment_speed",
        5.0,
        {"country.B.government": {"spending": 0.2, "tax": 0.15, "balance_target": 0.0}},
    ),
    # D, not C: C's assembly runs above the relocation bound (1.1 to 1.8 of capacity), so its pace (sim/fdi.py)
    # already takes nothing and closing it would change nothing
    "country.<name>.fdi_open": ("set", "country.D.fdi_open", 0.0, {}),
}

# key pattern -> (operation, key path, value, words of the reason)
REFUSED: dict[str, tuple] = {
    "simulation.name": ("set", "simulation.name", "x", "load only"),
    "simulation.ticks": ("set", "simulation.ticks", 5, "load only"),
    "simulation.seed": ("set", "simulation.seed", 5, "load only"),
    "simulation.tick_length": ("set", "simulation.tick_length", "quarter", "load only"),
    "simulation.responses": ("set", "simulation.responses", "within_tick", "load only"),
    "simulation.start_year": ("set", "simulation.start_year", 1990, "load only"),
    "simulation.log_every": ("set", "simulation.log_every", 2, "load only"),
    "simulation.bilateral_every": ("set", "simulation.bilateral_every", 2, "load only"),
    "world.sectors": ("set", "world.sectors", ["labor"], "fixed for a run"),
    "world.reserve_issuers": ("set", "world.reserve_issuers", ["A"], "at load only"),
    "country.<name>.name": ("set", "country.C.name", "Z", "cannot change"),
    "country.<name>.net_foreign_assets": ("set", "country.C.net_foreign_assets", 0.5, "counterparty"),
    "country.<name>.reserves_months": ("set", "country.C.reserves_months", 5.0, "counterparty"),
    "country.<name>.government.debt": ("add", "country.C.government.debt", 0.5, "load only"),
}
# state keys: set is refused (pointing to scale and add), which act
REFUSED_SET_OF_STATE = [
    "country.C.productivity",
    "country.C.productivity.labor",
    "country.C.labor_force",
    "country.C.wage",
]


def _doc(overrides: dict) -> dict:
    doc = world()
    extra = dict(overrides)
    events = extra.pop("event", [])
    doc = sim.scenario.apply_overrides(doc, extra)
    doc["event"] = copy.deepcopy(events)
    return doc


@functools.cache
def _cached_run(doc: str) -> pd.DataFrame:
    return _run(json.loads(doc))


@functools.cache
def _baseline(overrides: str) -> pd.DataFrame:
    return _run(_doc(json.loads(overrides)))


def _run(doc: dict) -> pd.DataFrame:
    model = TradeModel(doc)
    model.run()
    ts, _ = model.recorder.tables(model)
    return ts


def test_every_schema_key_has_a_meaning_under_events():
    from sim.schema import Simulation

    keys = set(param_fields()) | {f"simulation.{k}" for k in Simulation.model_fields}
    assert keys == set(ACTS) | set(REFUSED), (keys - set(ACTS) - set(REFUSED), set(ACTS) | set(REFUSED) - keys)


@pytest.mark.parametrize("key", sorted(ACTS))
def test_a_key_that_acts_changes_the_run_from_its_tick_only(key):
    op, path, value, overrides = ACTS[key]
    doc = _doc(overrides)
    doc["event"] = [*doc["event"], {"tick": K, op: {path: value}}]
    base, shocked = _baseline(json.dumps(overrides, sort_keys=True)), _cached_run(json.dumps(doc, sort_keys=True))
    before_a, before_b = base[base.tick < K], shocked[shocked.tick < K]
    pd.testing.assert_frame_equal(before_a, before_b, check_exact=True)
    num_a = base[base.tick >= K].select_dtypes("number").to_numpy()
    num_b = shocked[shocked.tick >= K].select_dtypes("number").to_numpy()
    assert not np.array_equal(num_a, num_b, equal_nan=True), f"an event on {path} left the run unchanged"


@pytest.mark.parametrize("key", sorted(REFUSED))
def test_a_key_that_cannot_act_is_refused_with_the_reason(key):
    op, path, value, words = REFUSED[key]
    doc = world()
    doc["event"] = [{"tick": K, op: {path: value}}]
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(doc)
    (where, why), *_ = info.value.problems
    assert path in where and words in why


@pytest.mark.parametrize("path", REFUSED_SET_OF_STATE)
def test_setting_a_state_level_is_refused_pointing_to_scale_and_add(path):
    doc = world()
    doc["event"] = [{"tick": K, "set": {path: 0.5}}]
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(doc)
    (where, why), *_ = info.value.problems
    assert where == f'event[0].set."{path}"' and "initial" in why and "scale or add" in why


@pytest.mark.parametrize("path", ["country.C.net_foreign_assets", "country.C.reserves_months"])
@pytest.mark.parametrize("op", ["scale", "add"])
def test_stocks_cannot_be_shocked_either(path, op):
    doc = world()
    doc["event"] = [{"tick": K, op: {path: 0.5}}]
    with pytest.raises(ScenarioError, match="counterparty"):
        sim.load_scenario(doc)


def _numeric_acts() -> list[str]:
    """Keys whose event sets a number at a path that holds a number in the world (the others
    hold a table, or nothing yet: scale and add on them are refused, "set it first")."""
    out = []
    for key, (op, path, value, overrides) in ACTS.items():
        if op == "set" and type(value) is float:
            try:
                current = sim.scenario.get_path(
                    sim.scenario.resolved_document(sim.load_scenario(_doc(overrides))), path
                )
            except KeyError:
                continue
            if type(current) is float:
                out.append(key)
    return sorted(out)


@pytest.mark.parametrize("key", _numeric_acts())
def test_scale_and_add_act_on_every_numeric_parameter_as_the_set_they_amount_to(key):
    # scaling the value in force by value / current (or adding value - current) is the set of
    # the same value, so the runs agree (to round-off in the factor)
    _, path, value, overrides = ACTS[key]
    doc = _doc(overrides)
    current = sim.scenario.get_path(sim.scenario.resolved_document(sim.load_scenario(doc)), path)
    runs = {}
    for op, amount in (("set", value), ("add", value - current), ("scale", value / current if current else None)):
        if amount is None:
            continue
        shocked = copy.deepcopy(doc)
        shocked["event"] = [*shocked["event"], {"tick": K, op: {path: amount}}]
        runs[op] = _cached_run(json.dumps(shocked, sort_keys=True)).select_dtypes("number").to_numpy()
    for op in ("add", "scale"):
        if op in runs:
            np.testing.assert_allclose(runs[op], runs["set"], rtol=1e-6, atol=1e-9, err_msg=op)


def test_setting_a_whole_government_table_is_refused():
    # the table holds the initial debt, which an event cannot change: its keys are set one by one
    doc = world()
    doc["event"] = [{"tick": K, "set": {"country.C.government": {"spending": 0.2, "debt": 1.0}}}]
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(doc)
    (where, why), *_ = info.value.problems
    assert "country.C.government" in where and "one by one" in why
