"""Development dynamics: each mechanism changes one setting against the same seeds and shows its
effect in every seed, with a margin (docs/model.md, section 8, reports the numbers)."""

from __future__ import annotations

import sim
from tests.conftest import ROOT

SCN = ROOT / "scenarios"
SEEDS = (1, 2, 3, 4, 5, 6)


def share(res, column, country):
    return res.share_of_gdp(column)[country]


# The paired claims of each mechanism (reserve targets, the export-led package, weak
# consumption, reserves in a sudden stop, industrial transfer, the endless cycle) are experiment
# files in scenarios/experiments/, run by tests/test_claims.py with `sim.compare`. What is here
# checks what a paired comparison cannot state: the dynamics inside one run.

# debt limits and sudden stops -----------------------------------------------------------------


def test_a_persistent_deficit_hits_the_limit_and_the_balance_reverses():
    for seed in SEEDS:
        res = sim.simulate(SCN / "debt_limits.toml", seed=seed)
        stop = res.series("sudden_stop")["Europe"]
        assert stop.any(), "Europe never hit its debt limit"
        t = int(stop.idxmax())
        ca = share(res, "current_account", "Europe")
        assert ca.loc[t - 5 : t - 1].mean() < -0.03  # a persistent deficit before the stop ...
        assert ca.loc[t : t + 4].mean() > ca.loc[t - 5 : t - 1].mean() + 0.04  # ... reverses in it
    # reserves are sold in the stop (their effect on imports is a claim in experiments/debt_limits.toml)
    res = sim.simulate(sim.load_scenario(SCN / "debt_limits.toml", {"country.Europe.reserves_months": 12.0}), seed=1)
    t = int(res.series("sudden_stop")["Europe"].idxmax())
    held = res.series("reserves")["Europe"]
    assert held.loc[t] < 0.8 * held.loc[t - 1]
    # without household borrowing there is no stop at all
    res = sim.simulate(sim.load_scenario(SCN / "debt_limits.toml", {"country.Europe.household_credit": 0.0}), seed=1)
    assert not res.series("sudden_stop")["Europe"].any()


def test_no_shipped_scenario_has_a_current_account_beyond_30_percent():
    for path in sorted(SCN.glob("*.toml")):
        res = sim.simulate(path)
        worst = float(res.share_of_gdp("current_account").abs().max().max())
        assert worst < 0.30, (path.name, worst)


# industrial transfer through value chains ("flying geese") ----------------------------------


def test_value_added_deficit_with_the_assembler_is_well_below_the_gross_one():
    from sim.analysis import value_added_balances

    for seed in SEEDS[:3]:
        res = sim.simulate(SCN / "flying_geese.toml", seed=seed)
        gross, va = value_added_balances(res, 59)
        assert -gross.loc["R", "L"] > 0
        # L assembles with E's and R's parts: what R buys from L embodies much foreign value added,
        # at least 15% of it (0.47-0.57 of the gross before structural change, 0.73-0.77 with it,
        # 0.78-0.81 with the destination's pace of relocation: docs/model.md section 8)
        assert -va.loc["R", "L"] < 0.85 * -gross.loc["R", "L"]
    # without value chains there is nothing to tell apart
    doc = sim.scenario.load_toml(SCN / "flying_geese.toml")
    doc["world"]["inputs"] = {s: {} for s in ("labor", "hightech", "primary", "services")}
    gross, va = value_added_balances(sim.simulate(sim.load_scenario(doc, file="geese")), 59)
    assert abs(va.loc["R", "L"] - gross.loc["R", "L"]) < 1e-6 * abs(gross.loc["R", "L"])
