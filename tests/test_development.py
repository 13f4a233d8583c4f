"""Development dynamics: each mechanism changes one setting against the same seeds and shows its
effect in every seed, with a margin (docs/model.md, section 8, reports the numbers)."""

from __future__ import annotations

import numpy as np

import sim
from tests.conftest import ROOT
from tests.paired import SEEDS, paired

SCN = ROOT / "scenarios"


def share(res, column, country):
    return res.share_of_gdp(column)[country]


# 1. precautionary reserve targets --------------------------------------------------------------


def test_a_higher_reserve_target_gives_a_larger_surplus_while_it_is_reached_which_then_fades():
    early = paired(
        SCN / "reserve_targets.toml",
        {"country.China.reserve_target_months": 12.0},
        lambda r: share(r, "current_account", "China").loc[0:9].sum(),
        base={"country.China.reserve_target_months": 0.0},
    )
    late = paired(
        SCN / "reserve_targets.toml",
        {"country.China.reserve_target_months": 12.0},
        lambda r: share(r, "current_account", "China").loc[40:59].mean(),
        base={"country.China.reserve_target_months": 0.0},
    )
    # over the first decade the target adds at least 4% of GDP of cumulative surplus ...
    assert (early > 0.04).all(), early
    # ... and two decades after it is reached the annual surplus is no longer raised by it
    assert (np.abs(late) < 0.1 * early / 10 + 0.001).all(), (late, early)


def test_reserve_purchases_finance_the_issuer():
    us = paired(
        SCN / "reserve_targets.toml",
        {"country.China.reserve_target_months": 12.0},
        lambda r: share(r, "current_account", "US").loc[0:9].mean(),
        base={"country.China.reserve_target_months": 0.0},
    )
    rate = paired(
        SCN / "reserve_targets.toml",
        {"country.China.reserve_target_months": 12.0},
        lambda r: r.series("world_interest_rate")["US"].loc[0:9].mean(),
        base={"country.China.reserve_target_months": 0.0},
    )
    assert (us < -0.001).all(), us  # the issuer's deficit is wider
    assert (rate < 0).all(), rate  # the saving glut lowers the world rate


def test_in_a_sudden_stop_reserves_are_sold_before_imports_are_cut():
    def compression(res):
        stop = res.series("sudden_stop")["Europe"]
        t = int(stop.idxmax())
        assert stop.any() and t > 2
        imports = res.series("imports")["Europe"]
        return imports.loc[t] / imports.loc[t - 1] - 1.0

    def reserves_fell(res):
        stop = res.series("sudden_stop")["Europe"]
        t = int(stop.idxmax())
        held = res.series("reserves")["Europe"]
        return held.loc[t] / held.loc[t - 1] - 1.0

    diff = paired(SCN / "debt_limits.toml", {"country.Europe.reserves_months": 12.0}, compression)
    # with 12 months of reserves Europe cuts imports by at least 2 points less in the stop
    assert (diff > 0.02).all(), diff
    scn = sim.load_scenario(SCN / "debt_limits.toml", {"country.Europe.reserves_months": 12.0})
    assert reserves_fell(sim.simulate(scn, seed=1)) < -0.2


# 2. surplus as the engine of investment and growth ---------------------------------------------

PACKAGE = {"country.China.undervaluation": 0.15, "country.China.unit_cost_cut": 0.1, "country.China.export_credit": 0.8}
NO_PACKAGE = {
    "country.China.undervaluation": 0.0,
    "country.China.unit_cost_cut": 0.0,
    "country.China.export_credit": 0.0,
}


def test_export_led_package_runs_a_surplus_invests_more_and_grows_faster_while_it_lasts():
    def metrics(res):
        ca = share(res, "current_account", "China").loc[0:9].mean()
        inv = (res.series("investment") / res.series("full_income"))["China"].loc[0:9].mean()
        pot = np.log(res.series("gdp_potential")["China"])
        growth = (pot.loc[10] - pot.loc[0]) / 10
        return np.array([ca, inv, growth])

    diffs = np.array(
        [
            metrics(sim.simulate(sim.load_scenario(SCN / "export_led.toml", PACKAGE), seed=s))
            - metrics(sim.simulate(sim.load_scenario(SCN / "export_led.toml", NO_PACKAGE), seed=s))
            for s in SEEDS
        ]
    )
    assert (diffs[:, 0] > 0.03).all(), diffs[:, 0]  # surplus at least 3% of GDP higher
    assert (diffs[:, 1] > 0.05).all(), diffs[:, 1]  # investment at least 5 points of income higher
    assert (diffs[:, 2] > 0.005).all(), diffs[:, 2]  # potential output at least 0.5 pp/yr faster


def test_credit_alone_raises_investment_but_not_the_surplus():
    only_credit = {**NO_PACKAGE, "country.China.export_credit": 0.8}
    ca = paired(
        SCN / "export_led.toml",
        only_credit,
        lambda r: share(r, "current_account", "China").loc[0:9].mean(),
        base=NO_PACKAGE,
    )
    inv = paired(
        SCN / "export_led.toml",
        only_credit,
        lambda r: (r.series("investment") / r.series("full_income"))["China"].loc[0:9].mean(),
        base=NO_PACKAGE,
    )
    assert (inv > 0.05).all() and (ca < 0).all(), (inv, ca)


# 3. weak domestic consumption ------------------------------------------------------------------


def test_weak_consumption_holds_imports_down_and_a_rise_in_consumption_rebalances():
    def before_after(res):
        ca = share(res, "current_account", "China")
        ratio = (res.series("imports") / res.series("exports"))["China"]
        return np.array([ca.loc[20:29].mean(), ca.loc[40:59].mean(), ratio.loc[20:29].mean(), ratio.loc[40:59].mean()])

    strong = {"country.China.propensity_to_consume": 0.78}
    for seed in SEEDS:
        weak = before_after(sim.simulate(SCN / "weak_consumption.toml", seed=seed))
        ref = before_after(sim.simulate(sim.load_scenario(SCN / "weak_consumption.toml", strong), seed=seed))
        assert weak[0] > ref[0] + 0.02  # weaker consumption: surplus larger by 2% of GDP
        assert weak[2] < ref[2] - 0.1  # imports lag exports
        assert weak[1] < weak[0] - 0.02  # the rise in consumption at tick 30 rebalances ...
        assert weak[3] > weak[2] + 0.1  # ... as imports catch up with exports


# 5. debt limits and sudden stops -----------------------------------------------------------------


def test_a_persistent_deficit_hits_the_limit_and_the_balance_reverses():
    for seed in SEEDS:
        res = sim.simulate(SCN / "debt_limits.toml", seed=seed)
        stop = res.series("sudden_stop")["Europe"]
        assert stop.any(), "Europe never hit its debt limit"
        t = int(stop.idxmax())
        ca = share(res, "current_account", "Europe")
        assert ca.loc[t - 5 : t - 1].mean() < -0.03  # a persistent deficit before the stop ...
        assert ca.loc[t : t + 4].mean() > ca.loc[t - 5 : t - 1].mean() + 0.04  # ... reverses in it
    # without household borrowing there is no stop at all
    res = sim.simulate(sim.load_scenario(SCN / "debt_limits.toml", {"country.Europe.household_credit": 0.0}), seed=1)
    assert not res.series("sudden_stop")["Europe"].any()


def test_no_shipped_scenario_has_a_current_account_beyond_30_percent():
    for path in sorted(SCN.glob("*.toml")):
        res = sim.simulate(path)
        worst = float(res.share_of_gdp("current_account").abs().max().max())
        assert worst < 0.30, (path.name, worst)


# 4. industrial transfer through value chains ("flying geese") ----------------------------------


def geese_metrics(res):
    """Assembly shares, bilateral balances (% of the country's GDP) and parts exports."""
    cap = res.series("productivity_labor") * res.series("labor_share_labor") * res.series("labor_force")
    share = cap.div(cap.sum(axis=1), axis=0)
    b = res.bilateral[res.bilateral.origin != res.bilateral.destination]
    flow = b.groupby(["tick", "origin", "destination"], observed=True)["value"].sum()
    gdp = res.series("gdp")

    def balance(a, c):
        return flow.xs((a, c), level=(1, 2)) - flow.xs((c, a), level=(1, 2))

    parts = b[b.sector == "hightech"].groupby(["tick", "origin", "destination"], observed=True)["value"].sum()
    parts = parts.xs(("E", "L"), level=(1, 2))
    first, last = slice(0, 4), slice(55, 59)
    r_def_e, r_def_l = -balance("R", "E") / gdp["R"], -balance("R", "L") / gdp["R"]
    e_bal_l = balance("E", "L") / gdp["E"]
    return {
        "E_share_end": share["E"].loc[59],
        "L_share_end": share["L"].loc[59],
        "R_deficit_E_change": r_def_e.loc[last].mean() - r_def_e.loc[first].mean(),
        "R_deficit_L_change": r_def_l.loc[last].mean() - r_def_l.loc[first].mean(),
        "E_balance_L_change": e_bal_l.loc[last].mean() - e_bal_l.loc[first].mean(),
        "parts_growth": parts.loc[59] / parts.loc[0],
    }


def test_industrial_transfer_moves_assembly_and_the_surplus_from_e_to_l():
    off = {"world.development.relocation_rate": 0.0}
    for seed in SEEDS:
        on = geese_metrics(sim.simulate(SCN / "flying_geese.toml", seed=seed))
        ref = geese_metrics(sim.simulate(sim.load_scenario(SCN / "flying_geese.toml", off), seed=seed))
        # (a) assembly capacity moves from E to L
        assert on["E_share_end"] < 0.5 * ref["E_share_end"] and on["E_share_end"] < 0.1
        assert on["L_share_end"] > ref["L_share_end"] + 0.2
        # (b) R's deficit with E shrinks and its deficit with L grows, in levels (% of R's GDP)
        assert on["R_deficit_E_change"] < -0.01 and on["R_deficit_E_change"] < ref["R_deficit_E_change"] - 0.01
        # (L's own catch-up widens R's deficit with L too; the transfer adds about half a point)
        assert on["R_deficit_L_change"] > 0.01 and on["R_deficit_L_change"] > ref["R_deficit_L_change"] + 0.003
        # (c) triangular trade: E's balance with L improves as its parts exports to L multiply
        assert on["E_balance_L_change"] > ref["E_balance_L_change"] + 0.03
        assert on["parts_growth"] > 2 * ref["parts_growth"]


def test_value_added_deficit_with_the_assembler_is_well_below_the_gross_one():
    from sim.analysis import value_added_balances

    for seed in SEEDS[:3]:
        res = sim.simulate(SCN / "flying_geese.toml", seed=seed)
        gross, va = value_added_balances(res, 59)
        assert -gross.loc["R", "L"] > 0
        # L assembles with E's and R's parts: what R buys from L embodies much foreign value added
        assert -va.loc["R", "L"] < 0.7 * -gross.loc["R", "L"]
    # without value chains there is nothing to tell apart
    doc = sim.scenario.load_toml(SCN / "flying_geese.toml")
    doc["world"]["inputs"] = {s: {} for s in ("labor", "hightech", "primary", "services")}
    gross, va = value_added_balances(sim.simulate(sim.load_scenario(doc, file="geese")), 59)
    assert abs(va.loc["R", "L"] - gross.loc["R", "L"]) < 1e-6 * abs(gross.loc["R", "L"])


# 6. uneven development and the endless cycle -------------------------------------------------------


def test_uneven_development_makes_repeated_cycles_that_vanish_when_development_is_equalised():
    """12 seeds x 500 years, paired: the same world, draws, consumption and debt rules, with
    development heterogeneity on and off; counted with the standard rule fixed beforehand
    (sim.analysis: 7-year smoothing, phases >= 6 years, cycles >= 20 years, amplitude >=
    max(3 x the series' own noise, 1.5 pp of world GDP)). docs/model.md reports how the count
    depends on the innovator's embodiment speed (it is fragile there; the amplitude is not)."""
    from sim.analysis import summary

    on, off = [], []
    for seed in range(1, 13):
        runs = {}
        for arm in (True, False):
            res = sim.simulate(
                sim.load_scenario(SCN / "endless_cycle.toml", {"world.development.uneven": arm}), seed=seed
            )
            assert not res.series("sudden_stop").to_numpy().any(), "cycle peaks must not be debt-limit spikes"
            runs[arm] = summary(res, rule="standard")
        on.append(runs[True])
        off.append(runs[False])
    n_on = np.array([s["n_cycles"] for s in on])
    n_off = np.array([s["n_cycles"] for s in off])
    assert (n_on >= 2).sum() >= 10, n_on  # at least two counted cycles in most seeds
    assert (n_on > n_off).all(), (n_on, n_off)  # more cycles than the same world equalised, in every seed
    sd_on = np.array([s["imbalance_sd_smoothed"] for s in on])
    sd_off = np.array([s["imbalance_sd_smoothed"] for s in off])
    assert (sd_on > 3 * sd_off).all(), (sd_on, sd_off)  # the smoothed index swings far more
    rise = np.array([s["largest_rise"] for s in on])
    fall = np.array([s["largest_fall"] for s in on])
    assert (rise > 0.015).all() and (fall > 0.015).all()  # rises and falls beyond the 1.5 pp floor
