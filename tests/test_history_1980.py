"""scenarios/history_1980.toml: it loads, runs with exact accounting, holds what its documented
rules give (docs/validation.md, "The history, 1980-2024"), and each of its events acts."""

from __future__ import annotations

import copy
import tomllib

import numpy as np
import pytest

import sim
from sim.history import regions
from sim.model import TradeModel
from tests.conftest import ROOT
from tests.test_accounting import check_tables

HISTORY = ROOT / "scenarios" / "history_1980.toml"


@pytest.fixture(scope="module")
def doc() -> dict:
    return tomllib.loads(HISTORY.read_text(encoding="utf-8"))


def until(doc: dict, last_year: int, drop: int | None = None) -> dict:
    """The history run to ``last_year`` with the events up to then (without event ``drop``)."""
    out = copy.deepcopy(doc)
    out["simulation"]["ticks"] = last_year - 1980 + 1
    out["event"] = [e for j, e in enumerate(doc["event"]) if e["year"] <= last_year and j != drop]
    return out


def test_it_loads_and_runs_through_the_plaza_accord_with_exact_accounting(doc):
    scn = sim.load_scenario(HISTORY)
    assert scn.names == ["US", "Japan", "Dragons", "China", "Europe", "Rest of world"]
    assert scn.simulation.start_year == 1980 and scn.simulation.ticks == 45  # 1980-2024, one tick a year
    res = sim.simulate(until(doc, 1987))  # the Plaza realignment (1985, two years) included
    check_tables(res)
    assert res.timeseries["year"].max() == 1987


def test_every_event_is_dated_by_its_year_and_says_its_source(doc):
    for k, ev in enumerate(doc["event"]):
        assert set(ev) & {"tick", "quarter"} == set(), f"event[{k}] must be dated by its calendar year"
        assert 1980 <= ev["year"] <= 2024
        assert "(" in ev["note"] and ")" in ev["note"], f"event[{k}] names no source: {ev['note']}"


def test_sizes_and_incomes_are_the_1980_data_by_the_documented_rules(doc):
    data = {c["name"]: c for c in regions.history_1980_document()["country"]}
    for c in doc["country"]:
        d = data[c["name"]]
        assert c["labor_force"] == pytest.approx(d["labor_force"], abs=0.006)
        assert c["labor_growth"] == pytest.approx(d["labor_growth"], abs=0.00006)
        assert c["productivity"] == pytest.approx(d["productivity"], abs=0.0006)


def test_catch_up_multipliers_follow_the_persistence_rule_on_1957_1977_data(doc):
    rule = regions.catchup_multipliers()
    assert {c["name"]: c["catchup_speed"] for c in doc["country"]} == rule
    # signs stated in advance: the regions that gained on the US in 1957-1977 get a positive
    # multiplier; China gets the dragons' rate, so its multiplier is smaller than theirs (it
    # is further from the frontier, where the same rate needs less speed)
    assert rule["Japan"] > 0 and rule["Europe"] > 0 and rule["Dragons"] > 0
    assert 0 < rule["China"] < rule["Dragons"]


def test_openness_is_solved_from_the_1980_exports_and_china_s_costs_follow_its_tariffs(doc):
    china_1980 = doc["world"]["pair_costs"]["China"]["US"]
    assert set(doc["world"]["pair_costs"]["China"].values()) == {china_1980}
    world = doc["world"]["trade_cost"]
    assert regions.solve_openness(doc) == (world, china_1980)
    start = regions.exports_gdp_at_start(doc)
    assert start["US"] == pytest.approx(9.8, abs=0.1) and start["China"] == pytest.approx(6.0, abs=0.1)
    steps = {
        ev["year"]: ev["set"]["world.pair_costs.China.US"]
        for ev in doc["event"]
        if "world.pair_costs.China.US" in ev.get("set", {})
    }
    assert steps == {y: regions.china_pair_cost(y, world, china_1980) for y in regions.CHINA_TARIFF if y != 1982}
    for ev in doc["event"]:  # every pair with China moves together
        costs = {v for k, v in ev.get("set", {}).items() if k.startswith("world.pair_costs.China.")}
        assert len(costs) <= 1


def country(doc: dict, name: str) -> dict:
    return next(c for c in doc["country"] if c["name"] == name)


def event_values(doc: dict, key: str) -> dict[int, float]:
    """{year: value} of the events that set ``key`` (each key at most once a year)."""
    got: dict[int, float] = {}
    for ev in doc["event"]:
        if key in ev.get("set", {}):
            assert ev["year"] not in got, f"{key} set twice in {ev['year']}"
            got[ev["year"]] = ev["set"][key]
    return got


def start_rates(doc: dict) -> tuple[float, float]:
    """(world rate, US borrowing rate) at tick 0 of the file without its US policy rate."""
    d = copy.deepcopy(doc)
    d["simulation"]["ticks"], d["event"] = 1, []
    del country(d, "US")["policy_rate"]
    t0 = sim.simulate(d).timeseries.set_index("country")
    return float(t0.loc["US", "world_interest_rate"]), float(t0.loc["US", "borrowing_rate"])


def test_the_us_fiscal_stances_follow_rule_g(doc):
    # rule G replaces rule F's propensity stand-in: no event moves the US propensity but the
    # 2008 households' saving; the balance targets are minus the stances' CBO mean deficits
    assert set(event_values(doc, "country.US.propensity_to_consume")) == set()
    us, gov = country(doc, "US"), country(doc, "US")["government"]
    omega = doc["world"]["demand"]["ricardian_offset"]
    assert omega == 0.5  # as rule F's offset (Ricciuti 2003)
    d1980 = regions.US_DEFICIT[1980] / 100
    assert gov["balance_target"] == pytest.approx(-d1980)
    # 1980 national saving stays rule S's (1 - 0.78): the deficit adds (1 - omega) of itself
    assert us["propensity_to_consume"] == pytest.approx(0.78 - (1 - omega) * d1980, abs=6e-4)
    # taxes give the 1980 balance at the neutral borrowing rate
    _, r_us = start_rates(doc)
    assert gov["tax"] == pytest.approx(gov["spending"] + r_us * gov["debt"] - d1980, abs=6e-4)
    want = {y: -d / 100 for y, d in regions.US_DEFICIT.items() if y != 1980}
    assert event_values(doc, "country.US.government.balance_target") == pytest.approx(want)


def test_the_us_policy_rate_follows_rule_p(doc):
    world, _ = start_rates(doc)
    assert regions.NEUTRAL_RATE == pytest.approx(100 * world, abs=0.05)  # the anchor is the model's neutral rate
    assert country(doc, "US")["policy_rate"] == regions.us_policy_rate(1980)
    events = event_values(doc, "country.US.policy_rate")
    assert events == {y: regions.us_policy_rate(y) for y in regions.US_FUNDS if y != 1980}
    # signs stated in advance: Volcker's years tight (above neutral), 2001-04, 2008-15 and 2020-22 loose
    assert events[1981] > regions.NEUTRAL_RATE / 100
    assert max(events[2001], events[2008], events[2020], events[2022]) < regions.NEUTRAL_RATE / 100


def test_capital_controls_follow_rule_k_and_china_s_fdi_openness_rule_d(doc):
    for region, years in regions.CONTROLS_GDP.items():
        first = min(years)
        assert country(doc, region)["capital_controls"] == regions.capital_controls(region, first)
        got = event_values(doc, f"country.{region}.capital_controls")
        assert got == {y: regions.capital_controls(region, y) for y in years if y != first}
        assert list(got.values())[-1] == 0.0  # every one of them ends free in principle
    # China: closed in 1980, then 1 - Chinn-Ito (0.16) from 1994; never a reserve issuer's controls
    assert country(doc, "China")["capital_controls"] == 1.0
    assert event_values(doc, "country.China.capital_controls") == {1994: 0.84}
    assert "capital_controls" not in country(doc, "US")
    opening = regions.CHINA_FDI_OPEN_AREAS
    assert country(doc, "China")["fdi_open"] == regions.china_fdi_open(1980)
    assert event_values(doc, "country.China.fdi_open") == {y: regions.china_fdi_open(y) for y in opening if y != 1980}
    assert regions.china_fdi_open(1992) == 1.0  # Deng's tour opened the country
    assert doc["world"]["development"] == {"relocation_rate": 0.1}  # as the flying-geese worlds


def test_no_capability_is_set_because_the_rule_gives_every_region_1(doc):
    # world142's capability rule: a region that gained on the frontier over the window keeps
    # capability 1; each region did (China on the dragons' rate, rule C): a multiplier > 0
    assert all(m > 0 for m in regions.catchup_multipliers().values())
    assert all("capability" not in c for c in doc["country"])


def test_no_event_is_silent_except_targets_already_met(doc):
    # each event, left out, changes the run from its tick on (checked on its own tick and the
    # next); a reserve target can only be silent if the holdings already exceed it (the
    # managed dragons and China hold more by 1998 than they did in 2000: docs/validation.md)
    for k, ev in enumerate(doc["event"]):
        last = min(ev["year"] + 1, 2024)
        runs = []
        for d in (until(doc, last), until(doc, last, drop=k)):
            model = TradeModel(d)
            model.run()
            ts, _ = model.recorder.tables(model)
            runs.append(ts[ts.year >= ev["year"]])
        a, b = (r.select_dtypes("number").to_numpy() for r in runs)
        if not np.array_equal(a, b, equal_nan=True):
            continue
        targets = {k.split(".")[1]: v for k, v in ev.get("set", {}).items() if k.endswith(".reserve_target_months")}
        assert targets and len(targets) == len(ev["set"]), f"event[{k}] ({ev['note']}) did nothing"
        now = runs[0][runs[0].year == ev["year"]].set_index("country")
        held = 12 * now["reserves"] / now["imports"]
        assert all(held[c] > t for c, t in targets.items()), f"event[{k}]: a target above the holdings did nothing"


def test_the_scorecard_script_reports_each_sample_of_the_split(tmp_path):
    # the constructed run of tests/test_score.py, whose answers are worked out by hand there:
    # in-sample (<= 2000) facts errors 0.5 and 2 (one pass), out-of-sample 2 and 0.6 (one pass)
    import importlib.util

    from sim.history.score import score
    from tests.test_score import constructed_run, facts_of

    spec = importlib.util.spec_from_file_location("history_scorecard", ROOT / "scripts" / "history_scorecard.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    facts = facts_of(
        tmp_path,
        "South Korea,,1999-2000,ca_gdp,2.0,1.0,4.0,made,exact,",  # 3 in [1, 4]: 0.5, pass
        "US,,2000,gdp_share,50,40,55,made,recalled,",  # 60 against [40, 55]: 2, fail
        "South Korea,,2001,ca_gdp,5.0,4.5,5.5,made,exact,",  # 6 against [4.5, 5.5]: 2, fail
        "World,,2001,global_imbalance,1.5,1.0,2.0,made,recalled,",  # 1.2 in [1, 2]: 0.6, pass
        "Japan,,2001,ca_gdp,1,0,2,made,recalled,",  # not in the model: not covered
    )
    card = score([constructed_run()], facts, split=2000)
    assert script.numbers({"made.csv": card}) == {
        "made": {
            "in": {"facts": 2, "covered": 2, "passed": 1, "distance": 1.25},
            "out": {"facts": 3, "covered": 2, "passed": 1, "distance": 1.3},
        }
    }
    rows = script.fact_table(card, "out")
    assert [r.split("|")[-2].strip() for r in rows[2:4]] == ["fail", "pass"]
    assert rows[-1] == "Not covered (1: economies the regions merge): Japan."
