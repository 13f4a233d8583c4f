"""Event operations: scale and add with their fades (closed form), calendar dates, pair and
region trade costs, the anchored exchange-rate target, crawl and realignment."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.country import country_arrays
from sim.errors import ScenarioError, SimulationError
from sim.events import strength
from sim.model import TradeModel
from tests.conftest import identical_world, two_country


def problems(doc: dict) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(doc)
    return info.value.problems


def fixed_labor(ticks: int = 14, **sim_keys) -> dict:
    doc = identical_world(3, ticks=ticks)
    doc["simulation"].update(sim_keys)
    return doc


# ----------------------------------------------------------------------------- fades


def test_strength_is_full_then_halves_every_half_life_then_ends():
    assert strength(0.0, None, None) == 1.0 and strength(99.0, None, None) == 1.0
    assert strength(1.9, 2.0, None) == 1.0 and strength(2.0, 2.0, None) == 0.0
    assert strength(2.0, 2.0, 1.5) == 1.0
    assert strength(3.5, 2.0, 1.5) == 0.5 and strength(5.0, 2.0, 1.5) == 0.25
    assert strength(2.0 + 10 * 1.5, 2.0, 1.5) == 0.0  # removed after ten half-lives


@pytest.mark.parametrize("tick_length", ["year", "quarter"])
def test_a_temporary_scale_of_the_labor_force_follows_the_fade_in_closed_form(tick_length):
    doc = fixed_labor(30, tick_length=tick_length)
    k, f, years, hl = 4, 1.5, 2.0, 1.0
    doc["event"] = [{"tick": k, "scale": {"country.C1.labor_force": f}, "years": years, "half_life": hl}]
    model = TradeModel(doc)
    dt = model.wp.dt
    labor = []
    for _ in range(30):
        model.step()
        labor.append(model.view().labor[1])
    # the labor force grows at 0 here, so its level is 50 x f ** strength, tick by tick
    for t, value in enumerate(labor):
        share = 0.0 if t < k else strength((t - k) * dt, years, hl)
        assert value == pytest.approx(50.0 * f**share, rel=1e-12), t
    assert model.view().labor[0] == 50.0  # other countries untouched


def test_a_permanent_add_to_the_wage_moves_todays_level_once():
    doc = fixed_labor(8)
    doc["event"] = [{"tick": 3, "add": {"country.C0.wage": 5.0}}]
    shocked, base = TradeModel(doc), TradeModel(fixed_labor(8))
    for _ in range(3):
        shocked.step(), base.step()
    before = shocked.view().wage[0]
    shocked._apply_events()  # what the first stage of tick 3 does
    assert shocked.view().wage[0] == before + 5.0
    assert shocked.view().wage[1] == base.view().wage[1]


def test_a_productivity_shock_moves_the_level_and_leaves_catch_up_alone():
    doc = two_country()
    doc["simulation"]["ticks"] = 12
    k, f = 3, 0.8
    doc["event"] = [{"tick": k, "scale": {"country.Poor.productivity.primary": f}, "years": 2, "half_life": 2}]
    model = TradeModel(doc)
    primary = model.sectors.index("primary")
    for t in range(12):
        model.step()
        share = 0.0 if t < k else strength(t - k, 2, 2)
        assert model.view().log_shock[1, primary] == pytest.approx(share * math.log(f), abs=1e-15)
        assert not model.view().log_shock[0].any() and not np.delete(model.view().log_shock[1], primary).any()
    # the shock moves the level, not the catch-up state: at the event, log_base is untouched
    again = TradeModel(doc)
    again.run(k)
    base = again.view().log_base.copy()
    again._apply_events()
    assert np.array_equal(again.view().log_base, base) and again.view().log_shock[1, primary] == math.log(f)


def test_scale_and_add_on_parameters_in_closed_form():
    doc = two_country()
    doc["simulation"]["ticks"] = 10
    doc["event"] = [
        {"tick": 2, "scale": {"country.*.investment_rate": 1.5}},
        {"tick": 2, "add": {"country.Poor.propensity_to_consume": -0.1}, "years": 1, "half_life": 1},
    ]
    model = TradeModel(doc)
    model.run(3)  # ticks 0-2
    assert [c.investment_rate for c in model.spec.country] == [0.22 * 1.5, 0.22 * 1.5]
    assert model.spec.country[1].propensity_to_consume == 0.78 - 0.1
    model.run(2)  # ticks 3, 4: 1 and 2 years after
    assert model.spec.country[1].propensity_to_consume == pytest.approx(0.78 - 0.1 * 0.5**1, rel=1e-12)
    model.run(10 - 5)
    assert model.spec.country[1].propensity_to_consume == pytest.approx(0.78 - 0.1 * 0.5**6, rel=1e-12)


def test_a_later_set_replaces_the_base_under_a_temporary_shock():
    doc = two_country()
    doc["simulation"]["ticks"] = 12
    doc["event"] = [
        {"tick": 2, "scale": {"country.Poor.investment_rate": 2.0}, "years": 4},
        {"tick": 4, "set": {"country.Poor.investment_rate": 0.1}},
    ]
    model = TradeModel(doc)
    model.run(5)
    assert model.spec.country[1].investment_rate == 0.2  # the new base, still doubled
    model.run(3)
    assert model.spec.country[1].investment_rate == 0.1  # the shock has ended


def test_out_of_range_shocks_are_refused_at_load_or_stop_the_run_naming_the_tick():
    doc = two_country()
    doc["event"] = [{"tick": 2, "scale": {"country.Poor.propensity_to_consume": 1.5}, "years": 3}]
    (where, why), *_ = problems(doc)
    assert "event[0]" in where and "temporary shocks" in where and "propensity_to_consume" in where
    doc["event"] = [{"tick": 2, "scale": {"country.Poor.labor_force": -1.0}}]
    assert problems(doc)[0][0] == 'event[0].scale."country.Poor.labor_force"'
    doc["event"] = [{"tick": 2, "add": {"country.Poor.labor_force": -1e4}}]
    with pytest.raises(SimulationError) as info:
        TradeModel(doc).run(3)
    assert info.value.tick == 2 and info.value.country == "Poor" and info.value.quantity == "labor_force"


@pytest.mark.parametrize(
    "event, where, words",
    [
        ({"tick": 2, "scale": {"country.Poor.labor_shares": 1.1}}, "scale", "whole with set"),
        ({"tick": 2, "add": {"world.budget_shares.labor": 0.1}}, "add", "whole with set"),
        ({"tick": 2, "scale": {"country.Poor.exchange_rate_regime": 2.0}}, "scale", "a number"),
        ({"tick": 2, "scale": {"country.Poor.productivity.steel": 2.0}}, "scale", "unknown sector"),
        ({"tick": 2, "scale": {"country.Nowhere.wage": 2.0}}, "scale", "no country named"),
        ({"tick": 2, "add": {"world.pair_costs.Rich.Poor": 0.1}}, "add", "set it first"),
        ({"tick": 2, "years": 2, "set": {"world.trade_cost": 0.1}}, "years", "only scale and add"),
        ({"tick": 2, "half_life": 2, "scale": {"world.trade_cost": 0.1}}, "half_life", "needs years"),
        ({"tick": 2}, "event[0]", "needs set, scale, add or realign"),
    ],
)
def test_bad_operations_are_refused_with_key_paths(event, where, words):
    doc = two_country()
    doc["event"] = [event]
    found = problems(doc)
    assert any(where in p and words in why for p, why in found), found


def test_the_wildcard_means_every_country_in_every_operation():
    doc = two_country()
    doc["event"] = [{"tick": 1, "set": {"country.*.labor_growth": 0.02}, "add": {"country.*.wage": 1.0}}]
    model = TradeModel(doc)
    model.run(1)
    w = model.view().wage.copy()
    model.step()
    assert [c.labor_growth for c in model.spec.country] == [0.02, 0.02]
    assert len(model._shocks[0]) == 2 and model.view().wage[0] != w[0]


# ----------------------------------------------------------------------------- calendar


def dated(**sim_keys) -> dict:
    doc = two_country()
    doc["simulation"].update({"start_year": 1980, "ticks": 45, **sim_keys})
    return doc


def test_events_dated_by_year_and_quarter():
    doc = dated()
    doc["event"] = [{"year": 1994, "set": {"country.Poor.undervaluation": 0.1}}]
    assert sim.load_scenario(doc).event[0].tick == 14
    doc = dated(tick_length="quarter", ticks=180)
    doc["event"] = [{"quarter": "2008Q3", "set": {"world.trade_cost": 0.5}}, {"year": 1981, "set": {}}]
    doc["event"][1]["set"] = {"world.trade_cost": 0.7}
    scn = sim.load_scenario(doc)
    assert [ev.tick for ev in scn.event] == [(2008 - 1980) * 4 + 2, 4]
    # the resolved file keeps the date as written and loads back to the same scenario
    again = sim.load_scenario(sim.scenario.resolved_document(scn))
    assert again == scn and "tick" not in sim.scenario.resolved_document(scn)["event"][0]


@pytest.mark.parametrize(
    "event, sim_keys, where, words",
    [
        ({"year": 1994, "tick": 14}, {}, "event[0]", "exactly one of tick, year or quarter"),
        ({"quarter": "1994Q2"}, {}, "event[0].quarter", "quarterly ticks"),
        ({"year": 1979}, {}, "event[0].year", "before the start"),
        ({"year": 2025}, {}, "event[0].year", "after the last tick (44, year 2024"),
        ({"quarter": "2025Q1"}, {"tick_length": "quarter", "ticks": 180}, "event[0].quarter", "after the last"),
        ({"quarter": "1994Q5"}, {"tick_length": "quarter"}, "event[0].quarter", "pattern"),
        ({}, {}, "event[0]", "exactly one of tick, year or quarter"),
    ],
)
def test_bad_dates_are_refused_with_the_reason(event, sim_keys, where, words):
    doc = dated(**sim_keys)
    doc["event"] = [{**event, "set": {"world.trade_cost": 0.5}}]
    found = problems(doc)
    assert any(p == where and words in why for p, why in found), found


def test_a_year_needs_the_start_year():
    doc = two_country()
    doc["event"] = [{"year": 2001, "set": {"world.trade_cost": 0.5}}]
    assert problems(doc) == [("event[0].year", "a year needs simulation.start_year (the calendar year of tick 0)")]


def test_metric_windows_in_years():
    from sim.metrics import compile_metrics

    scn = sim.load_scenario(dated())
    (m,) = compile_metrics([{"country": "Poor", "column": "gdp", "years": [1990, 2000]}], scn)
    assert m.window == (10, 20)
    q = sim.load_scenario(dated(tick_length="quarter", ticks=180))
    (m,) = compile_metrics([{"country": "Poor", "column": "gdp", "years": [1990, 1990]}], q)
    assert m.window == (40, 43)
    with pytest.raises(ScenarioError, match="outside the run"):
        compile_metrics([{"country": "Poor", "column": "gdp", "years": [1970, 1990]}], scn)
    with pytest.raises(ScenarioError, match="start_year"):
        compile_metrics([{"country": "Poor", "column": "gdp", "years": [1990, 1991]}], sim.load_scenario(two_country()))
    with pytest.raises(ScenarioError, match="ticks or years"):
        compile_metrics([{"country": "Poor", "column": "gdp", "years": [1990, 1991], "ticks": [1, 2]}], scn)


def test_the_bilateral_table_has_the_year_column():
    doc = dated(ticks=3)
    model = TradeModel(doc)
    model.run()
    _, bil = model.recorder.tables(model)
    assert sorted(set(bil["year"])) == [1980.0, 1981.0, 1982.0]
    assert (bil["year"] == 1980 + bil["tick"]).all()


# ----------------------------------------------------------------------------- trade costs


def three() -> dict:
    doc = identical_world(4, ticks=6)
    doc["country"][3]["name"] = "Asia-Pacific"  # hyphens are part of names, never a separator
    return doc


def test_a_pair_cost_is_symmetric_unless_both_directions_are_given():
    doc = three()
    doc["world"]["pair_costs"] = {"C0": {"Asia-Pacific": 0.1}}
    tau = country_arrays(sim.load_scenario(doc)).tau
    expected = np.full((4, 4), 1.5)
    np.fill_diagonal(expected, 1.0)
    expected[0, 3] = expected[3, 0] = 1.1
    assert np.array_equal(tau, expected)
    doc["world"]["pair_costs"]["Asia-Pacific"] = {"C0": 0.3}
    tau = country_arrays(sim.load_scenario(doc)).tau
    assert tau[0, 3] == 1.1 and tau[3, 0] == 1.3


def test_regions_and_the_order_of_overrides():
    doc = three()
    doc["world"]["regions"] = {"East": ["C1", "C2"], "West": ["C0"]}
    doc["world"]["region_costs"] = {"East": {"East": 0.2, "West": 0.9}}
    doc["world"]["trade_costs"] = [{"origin": "C1", "destination": "C0", "cost": 0.7, "symmetric": False}]
    doc["world"]["pair_costs"] = {"C2": {"C1": 0.05}}
    tau = country_arrays(sim.load_scenario(doc)).tau
    assert tau[1, 2] == 1.05 and tau[2, 1] == 1.05  # pair_costs win
    assert tau[1, 0] == 1.7 and tau[0, 1] == 1.9  # the list beats regions; West-East is symmetric
    assert tau[2, 0] == 1.9 and tau[0, 2] == 1.9
    assert tau[3, 0] == 1.5 and tau[3, 1] == 1.5  # outside every region: trade_cost


@pytest.mark.parametrize(
    "world, where, words",
    [
        ({"pair_costs": {"C0": {"C0": 0.1}}}, "world.pair_costs.C0.C0", "must differ"),
        ({"pair_costs": {"C0": {"Nowhere": 0.1}}}, "world.pair_costs.C0.Nowhere", "no country"),
        ({"pair_costs": {"C0": {"C1": -0.1}}}, "world.pair_costs.C0.C1", "greater than or equal to 0"),
        ({"regions": {"E": ["C0"], "W": ["C0"]}}, "world.regions.W[0]", "already in region"),
        ({"regions": {"E": ["Nowhere"]}}, "world.regions.E[0]", "no country"),
        ({"regions": {"E": ["C0"]}, "region_costs": {"E": {"W": 0.1}}}, "world.region_costs.E.W", "no region"),
    ],
)
def test_bad_pair_and_region_costs_name_the_key(world, where, words):
    doc = three()
    doc["world"].update(world)
    found = problems(doc)
    assert any(p == where and words in why for p, why in found), found


def test_a_pair_cost_event_changes_only_that_pairs_factors():
    doc = three()
    doc["world"]["sectors"] = ["labor", "hightech", "primary"]
    doc["event"] = [{"tick": 2, "set": {"world.pair_costs.Asia-Pacific.C1": 0.2}}]
    model = TradeModel(doc)
    model.run(2)
    before = model.factors
    before = {f: np.array(getattr(before, f)) for f in vars(before) if isinstance(getattr(before, f), np.ndarray)}
    model.step()
    after = model.factors
    changed = np.zeros((4, 4), bool)
    for f, old in before.items():
        new = np.array(getattr(after, f))
        if old.ndim == 3 and old.shape[1:] == (4, 4):
            changed |= (old != new).any(axis=0)
    expected = np.zeros((4, 4), bool)
    expected[3, 1] = expected[1, 3] = True
    assert np.array_equal(changed, expected)


def test_the_trade_costs_list_still_works():
    doc = three()
    doc["world"]["trade_costs"] = [{"origin": "C0", "destination": "C1", "cost": 0.2}]
    tau = country_arrays(sim.load_scenario(doc)).tau
    assert tau[0, 1] == tau[1, 0] == 1.2


# ----------------------------------------------------------------------------- exchange rates


def managed(regime: str = "peg", **country) -> dict:
    doc = two_country(exchange_rate_regime=regime, reserves_months=12.0, **country)
    doc["simulation"]["ticks"] = 12
    return doc


def test_an_undervaluation_set_by_event_is_anchored_to_the_balanced_start_rate():
    doc = managed(crawl=-0.05)
    doc["event"] = [{"tick": 6, "set": {"country.Poor.undervaluation": 0.3}}]
    model = TradeModel(doc)
    e0 = math.exp(model.log_e_start[0, 1])
    model.run(6)
    assert model.view().e[1] == pytest.approx(e0 * 0.95**6, rel=1e-12)  # a peg crawling -5% a year
    model.step()
    # set to 30% undervalued: moved to the anchor, not relative to where the crawl had taken it,
    # then the crawl of tick 6
    assert model.view().e[1] == pytest.approx(e0 * 0.7 * 0.95, rel=1e-12)
    assert not model.notes


def test_undervaluation_at_the_start_and_floaters():
    doc = managed(undervaluation=0.25)
    model = TradeModel(doc)
    assert model.view().e[1] == pytest.approx(math.exp(model.log_e_start[0, 1]) * 0.75, rel=1e-12)
    model = TradeModel(managed(undervaluation=-0.2))  # overvalued
    assert model.view().e[1] == pytest.approx(math.exp(model.log_e_start[0, 1]) * 1.2, rel=1e-12)
    doc = two_country(undervaluation=0.25)
    model = TradeModel(doc)
    assert model.view().e[1] == math.exp(model.log_e_start[0, 1])  # a floater ignores it


def test_a_realignment_moves_the_rate_as_stated():
    doc = two_country(reserves_months=12.0)
    doc["simulation"].update({"ticks": 12, "start_year": 1980})
    doc["event"] = [{"year": 1985, "realign": {"currency": "Poor", "change": -0.4, "years": 2}}]
    model = TradeModel(doc)
    model.run(5)
    e5 = model.view().e[1]
    model.run(2)
    assert model.view().e[1] == pytest.approx(e5 * 0.6, rel=1e-12)
    model.step()
    assert model.regime[0, 1] == 0  # floats again
    assert not any("ran out" in n for n in model.notes)


def test_realigning_the_unit_of_account_moves_the_others_against_it():
    doc = identical_world(3, ticks=8)
    for c in doc["country"][1:]:
        c["reserves_months"] = 12.0
    doc["event"] = [{"tick": 2, "realign": {"currency": "C0", "change": -0.4, "years": 2, "against": ["C1", "C2"]}}]
    model = TradeModel(doc)
    model.run(2)
    e2 = model.view().e.copy()
    model.run(2)
    assert model.view().e[1:] == pytest.approx(e2[1:] / 0.6, rel=1e-12)
    assert model.view().e[0] == 1.0


def test_a_realignment_the_reserves_cannot_fund_breaks_and_the_notes_say_when():
    doc = two_country()  # no reserves
    doc["simulation"]["ticks"] = 8
    doc["event"] = [{"tick": 2, "realign": {"currency": "Poor", "change": 0.5, "years": 3}}]
    model = TradeModel(doc)
    model.run()
    # the move starts at the end of tick 2; the first sales it cannot pay for come at tick 3
    assert any(n.startswith("tick 3: Poor ran out of reserves during its realignment") for n in model.notes)
    assert model.regime[0, 1] == 0


@pytest.mark.parametrize(
    "realign, regime, words",
    [
        ({"currency": "Rich", "change": -0.4, "years": 2}, "float", "name the currencies"),
        ({"currency": "Poor", "change": -0.4, "years": 2, "against": ["Poor"]}, "float", "omit against"),
        ({"currency": "Poor", "change": -0.4, "years": 2}, "peg", "use undervaluation or crawl"),
        ({"currency": "Nowhere", "change": -0.4, "years": 2}, "float", "no country"),
        ({"currency": "Poor", "change": 0.0, "years": 2}, "float", "is 0"),
        ({"currency": "Poor", "change": -1.0, "years": 2}, "float", "greater than -0.95"),
        ({"currency": "Poor", "change": 0.1, "years": 0}, "float", "greater than 0"),
    ],
)
def test_bad_realignments_are_refused(realign, regime, words):
    doc = two_country(exchange_rate_regime=regime)
    doc["event"] = [{"tick": 2, "realign": realign}]
    found = problems(doc)
    assert any(p.startswith("event[0]") and words in why for p, why in found), found


def test_overlapping_realignments_of_one_currency_are_refused():
    doc = two_country()
    r = {"currency": "Poor", "change": -0.2, "years": 3}
    doc["event"] = [{"tick": 2, "realign": r}, {"tick": 4, "realign": copy.deepcopy(r)}]
    assert any("still being realigned" in why for _, why in problems(doc))


def test_the_examples_in_the_key_reference_load_and_run():
    import re
    import tomllib

    from sim.keyref import EVENTS_TEXT

    (block,) = re.findall(r"```toml\n(.*?)```", EVENTS_TEXT, flags=re.S)
    doc = identical_world(4, ticks=36)
    doc["simulation"]["start_year"] = 1975
    for c, name in zip(doc["country"], ["US", "Japan", "Germany", "China"], strict=True):
        c.update(name=name, reserves_months=6.0)
    doc["event"] = tomllib.loads(block)["event"]
    scn = sim.load_scenario(doc)
    assert sorted(ev.tick for ev in scn.event) == [4, 10, 15, 26, 30]
    model = TradeModel(scn)
    model.run()
    assert model.view().e[2] > 1.0  # the mark rose against the dollar


HISTORY = Path(__file__).resolve().parent.parent / "scenarios" / "examples" / "history_events.toml"


def test_the_history_example_has_no_silent_event():
    # each event, left out, changes the run from its tick on (checked to two ticks after it)
    doc = sim.scenario.load_toml(HISTORY)
    scn = sim.load_scenario(HISTORY)
    assert len({ev.tick for ev in scn.event}) == len(scn.event)  # one real step per date
    full = TradeModel(doc)
    full.run()
    ts, _ = full.recorder.tables(full)
    for k, ev in enumerate(scn.event):
        end = ev.tick + 2
        short = copy.deepcopy(doc)
        short["simulation"]["ticks"] = end + 1
        short["event"] = [
            e for j, (e, s) in enumerate(zip(doc["event"], scn.event, strict=True)) if j != k and s.tick <= end
        ]
        model = TradeModel(short)
        model.run()
        without, _ = model.recorder.tables(model)
        mine = ts[ts.tick <= end].reset_index(drop=True)
        num_a, num_b = mine.select_dtypes("number").to_numpy(), without.select_dtypes("number").to_numpy()
        rows = mine.tick.to_numpy() < ev.tick
        assert np.array_equal(num_a[rows], num_b[rows], equal_nan=True), ev.note
        assert not np.array_equal(num_a[~rows], num_b[~rows], equal_nan=True), f"event[{k}] ({ev.note}) did nothing"
