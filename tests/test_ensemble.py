"""Ensembles: member r of any ensemble gives the tables of its single run, bit for bit.

Members differ in seeds, in parameters (world and country, trade policy included, so members
use different trade factors), in events at different ticks, and some fail; the single run of
each member is the reference, built alone (an ensemble of one). Every comparison is exact
(``DataFrame.equals``): a member's arithmetic must not depend on the batch it runs in.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import ScenarioError, SimulationError
from sim.model import TradeModel
from sim.scenario import apply_overrides, load_scenario, load_toml
from tests.conftest import ROOT, SCENARIOS, two_country

SHIPPED = SCENARIOS


def single(scenario, overrides: dict, ticks: int, corrupt: int | None = None):
    """The member's single run: its tables, notes and error (None if it ran to the end).

    A scenario file runs with ``seed`` (its members differ only in seeds); a document runs with
    the member's key paths applied to it, as the batch layer does.
    """
    try:
        if isinstance(scenario, str):
            model = TradeModel(scenario, ticks=ticks, seed=overrides.get("simulation.seed"))
        else:
            model = TradeModel(apply_overrides(scenario, overrides), ticks=ticks)
    except SimulationError as err:
        return None, None, [], str(err)
    error = None
    try:
        for t in range(ticks):
            if corrupt is not None and t == corrupt:
                model.state.wage[0, 0] = np.nan
            model.step()
    except SimulationError as err:
        error = str(err)
    ts, bil = model.recorder.tables(model)
    return ts, bil, list(model.notes), error


def ensemble(scenario, members: list[dict], ticks: int, corrupt: dict[int, int] | None = None) -> list:
    model = TradeModel(scenario, ticks=ticks, members=members)
    corrupt = corrupt or {}
    for t in range(ticks):
        for r, at in corrupt.items():
            if at == t:
                model.state.wage[r, 0] = np.nan
        model.step()
    out = []
    for r in range(len(members)):
        err = model.errors[r]
        if err is not None and model.recorder.stopped_at[r] is None:  # failed at the start
            out.append((None, None, [], str(err)))
            continue
        ts, bil = model.recorder.tables(model, r)
        out.append((ts, bil, list(model.member_notes[r]), None if err is None else str(err)))
    return out


def assert_members_match(scenario, members: list[dict], ticks: int, corrupt: dict[int, int] | None = None):
    got = ensemble(scenario, members, ticks, corrupt)
    for r, m in enumerate(members):
        want = single(scenario, m, ticks, (corrupt or {}).get(r))
        g = got[r]
        assert g[3] == want[3], f"member {r}: error {g[3]!r} != single run's {want[3]!r}"
        assert g[2] == want[2], f"member {r}: notes differ"
        if want[0] is None:
            assert g[0] is None
            continue
        assert g[0].equals(want[0]), f"member {r} ({m}): timeseries differs from its single run"
        assert g[1].equals(want[1]), f"member {r} ({m}): bilateral flows differ from its single run"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_with_seven_seeds(path):
    scn = load_scenario(path)
    events = [ev.tick for ev in scn.event]  # dated by tick, year or quarter
    ticks = min(max([6, *(t + 2 for t in events)]), scn.simulation.ticks)  # through the scenario's events
    assert_members_match(str(path), [{"simulation.seed": 100 + k} for k in range(7)], ticks=ticks)


def random_members(rng: np.random.Generator, r: int, names: list[str]) -> list[dict]:
    """Random parameter draws over world and country keys, trade policy and events included."""
    out = []
    for k in range(r):
        a, b = names[0], names[-1]
        m = {
            "simulation.seed": int(rng.integers(0, 2**31)),
            "world.demand.habit": float(rng.uniform(0.2, 0.8)),
            "world.finance.premium_cap": float(rng.uniform(0.02, 0.1)),
            "world.finance.sudden_stop_debt": float(rng.uniform(0.2, 1.0)),
            "world.finance.stop_years": float(rng.choice([0.0, 2.0])),
            "world.prices.markup": float(rng.choice([0.2, rng.uniform(0.1, 0.3)])),
            "world.development.catchup_speed": float(rng.uniform(0.0, 0.08)),
            "world.development.noise_sd": float(rng.uniform(0.0, 0.03)),
            "world.development.innovation_rate": float(rng.choice([0.0, 2.0])),
            "world.development.innovation_scope": str(rng.choice(["sector", "traded"])),
            "world.development.uneven": bool(rng.random() < 0.7),
            "world.development.capability_threshold": float(rng.uniform(0.2, 1.0)),
            f"country.{b}.capability": float(rng.choice([1.0, rng.uniform(0.0, 0.6)])),
            "world.development.relocation_rate": float(rng.choice([0.0, 0.3])),
            "world.development.relocation_absorption": float(rng.choice([0.005, 0.05])),
            "world.development.relocation_utilisation": float(rng.uniform(1.0, 1.3)),
            "world.development.fdi_return": float(rng.uniform(0.0, 0.1)),
            f"country.{b}.fdi_open": float(rng.choice([0.0, 1.0])),
            "world.demand.consumption_drift": float(rng.choice([0.0, 0.05])),
            "world.structure.reallocation_speed": float(rng.choice([0.0, rng.uniform(0.05, 1.0)])),
            "world.structure.income_elasticity": {"services": float(rng.uniform(0.8, 2.0))},
            "world.exchange_rate.managed_share": float(rng.uniform(0.3, 0.9)),
            f"country.{b}.propensity_to_consume": float(rng.uniform(0.6, 0.9)),
            f"country.{b}.exchange_rate_regime": str(rng.choice(["float", "managed", "peg"])),
            f"country.{b}.reserves_months": float(rng.uniform(0.0, 3.0)),
            f"country.{b}.liabilities_own_currency": float(rng.uniform(0.0, 1.0)),
            f"country.{b}.gross_liabilities": float(rng.uniform(0.0, 3.0)),
        }
        if k % 3 == 0:  # shares the scenario's trade factors with the other members
            pass
        elif k % 3 == 1:
            m["world.elasticity"] = float(rng.uniform(2.0, 6.0))
            m["world.trade_cost"] = float(rng.uniform(0.2, 0.9))
        else:
            m[f"country.{a}.tariffs"] = {b: float(rng.uniform(0.0, 0.3))}
        if rng.random() < 0.5:  # an event at a tick of its own
            m["event"] = [
                {
                    "tick": int(rng.integers(1, 5)),
                    "set": {
                        f"country.{a}.tariffs": {b: 0.25},
                        "world.demand.habit": 0.3,
                        f"country.{b}.capability": 1.0,
                    },
                }
            ]
        if k % 2 == 1:  # a government with a deficit, debt and a fiscal rule
            m[f"country.{a}.government"] = {
                "spending": float(rng.uniform(0.1, 0.25)),
                "tax": float(rng.uniform(0.1, 0.2)),
                "debt": float(rng.uniform(0.0, 1.0)),
                "balance_target": float(rng.choice([-0.03, 0.0])),
            }
            m["world.demand.ricardian_offset"] = float(rng.uniform(0.0, 1.0))
        if rng.random() < 0.5:  # a policy rate, capital controls and portfolio flows
            m[f"country.{b}.policy_rate"] = float(rng.uniform(0.0, 0.08))
            m[f"country.{b}.capital_controls"] = float(rng.choice([0.0, rng.uniform(0.0, 1.0), 1.0]))
            m["world.finance.portfolio_sensitivity"] = float(rng.uniform(0.0, 8.0))
            m["world.finance.expectation_reversion"] = float(rng.choice([0.0, 0.3]))
        out.append(m)
    return out


@pytest.mark.parametrize("r", [1, 7, 64])
def test_random_parameter_draws(r):
    rng = np.random.default_rng(r)
    assert_members_match(two_country(), random_members(rng, r, ["Rich", "Poor"]), ticks=6)


def test_random_draws_on_the_baseline_with_retaliation_and_announcements():
    rng = np.random.default_rng(11)
    members = random_members(rng, 7, ["US", "China"])
    for k, m in enumerate(members):
        m["country.China.retaliation"] = {"match": 1.0, "lag_years": 1.0}
        if k % 2:
            m["event"] = [{"tick": 3, "announce_ticks": 2, "set": {"country.US.tariffs": {"China": 0.2}}}]
    doc = load_toml(ROOT / "scenarios" / "baseline.toml")
    doc["simulation"]["name"] = "baseline"
    assert_members_match(doc, members, ticks=7)


def test_failing_members_fail_alone_with_their_own_error():
    members = [{"simulation.seed": k} for k in range(7)]
    members[2] = {"country.Poor.wage": 1e4}  # no balanced start
    with np.errstate(all="ignore"):
        got = ensemble(two_country(), members, ticks=6, corrupt={4: 2, 5: 4})
        for r, m in enumerate(members):
            want = single(two_country(), m, 6, {4: 2, 5: 4}.get(r))
            assert got[r][3] == want[3]
            if want[0] is not None:
                assert got[r][0].equals(want[0]) and got[r][1].equals(want[1])
    assert got[2][3] is not None and "balanced_start" in got[2][3]
    assert got[4][3] is not None and got[4][3].startswith("tick 2,")
    assert got[5][3] is not None and got[5][3].startswith("tick 4,")
    assert sum(g[3] is None for g in got) == 4
    assert got[4][0]["tick"].max() == 1  # the failed member's tables stop before its failure


def test_a_single_run_still_raises():
    model = TradeModel(two_country(), ticks=4)
    model.step()
    model.state.wage[0, 0] = np.nan
    with np.errstate(all="ignore"), pytest.raises(SimulationError):
        model.step()


def test_members_must_share_the_world_shape():
    with pytest.raises(ScenarioError, match="member 1"):
        TradeModel(two_country(), members=[{}, {"simulation.tick_length": "quarter"}])
    with pytest.raises(ScenarioError, match="simulation.responses differ"):
        TradeModel(two_country(), members=[{}, {"simulation.responses": "within_tick"}])


def test_members_with_their_own_trade_costs_share_one_stacked_market_call():
    rng = np.random.default_rng(5)
    members = [
        {
            "simulation.seed": k,
            "world.trade_cost": float(rng.uniform(0.2, 1.2)),
            "world.elasticity": float(rng.choice([4.0, rng.uniform(1.5, 8.0)])),
        }
        for k in range(7)
    ]
    model = TradeModel(two_country(), ticks=3, members=members)
    assert len(model._groups) == 1 and model._groups[0][0].F.ndim == 4  # (R, S, N, N)
    assert_members_match(two_country(), members, ticks=6)


def test_members_with_fading_shocks_realignments_and_crawls_at_their_own_ticks():
    doc = two_country(reserves_months=12.0)
    doc["simulation"].update({"ticks": 10, "start_year": 1980})
    members = [
        {"simulation.seed": 1},
        {"event": [{"tick": 2, "scale": {"country.Poor.labor_force": 1.5}, "years": 2.0, "half_life": 1.0}]},
        {"event": [{"tick": 4, "add": {"country.Rich.wage": 5.0}}], "simulation.seed": 3},
        {
            "event": [{"year": 1983, "realign": {"currency": "Poor", "change": -0.4, "years": 2}}],
            "country.Poor.liabilities_own_currency": 1.0,
        },
        {
            "country.Poor.exchange_rate_regime": "peg",
            "country.Poor.crawl": -0.05,
            "event": [{"tick": 5, "set": {"country.Poor.undervaluation": 0.3}}],
        },
        {"event": [{"tick": 3, "scale": {"country.Poor.productivity": 1.2}, "years": 3.0}]},
        {"event": [{"tick": 1, "scale": {"world.demand.habit": 0.5}, "years": 2.0, "half_life": 1.0}]},
    ]
    assert_members_match(doc, members, ticks=10)
