"""Trade policy levers: each setting is changed against the same seeds and its effect asserted
in every seed with a margin; docs/model.md reports the numbers."""

from __future__ import annotations

import copy

import numpy as np

import sim
from sim.scenario import load_toml
from tests.conftest import ROOT
from tests.paired import SEEDS

SCN = ROOT / "scenarios"


def without_events(name):
    doc = load_toml(SCN / f"{name}.toml")
    doc.pop("event", None)
    return doc


def flow(res, origin, destination, sector=None):
    b = res.bilateral
    b = b[(b.origin == origin) & (b.destination == destination)]
    if sector:
        b = b[b.sector == sector]
    return b.groupby("tick")["value"].sum()


def balance(res, a, c):
    return flow(res, a, c) - flow(res, c, a)


def pair(name, seed, overrides=None):
    """(with the scenario's events, without them), same seed."""
    doc = load_toml(SCN / f"{name}.toml")
    on = sim.simulate(sim.load_scenario(doc, overrides, file=name), seed=seed)
    off = sim.simulate(sim.load_scenario(without_events(name), overrides, file=name), seed=seed)
    return on, off


# 1. export controls with double standards ---------------------------------------------------------


def test_export_controls_widen_the_bilateral_deficit_and_divert_demand():
    window = slice(10, 24)
    for seed in SEEDS:
        on, off = pair("export_controls", seed)
        gdp_on, gdp_off = on.series("gdp")["US"], off.series("gdp")["US"]
        bil = (balance(on, "US", "China") / gdp_on).loc[window].mean() - (balance(off, "US", "China") / gdp_off).loc[
            window
        ].mean()
        assert bil < -0.01, bil  # (a) the US deficit with China is larger by over 1% of US GDP
        assert flow(on, "US", "China", "hightech").loc[window].max() == 0.0
        for other in ("Europe", "Japan", "India"):
            # (b) China buys its hightech elsewhere ...
            assert (
                flow(on, other, "China", "hightech").loc[window].mean()
                > 1.05 * flow(off, other, "China", "hightech").loc[window].mean()
            )
            # ... and exempted partners keep buying from the US (at least as much as before)
            assert (
                flow(on, "US", other, "hightech").loc[window].mean()
                >= 0.98 * flow(off, "US", other, "hightech").loc[window].mean()
            )
        total_on = sum(
            flow(on, o, "China", "hightech").loc[window].mean() for o in ("US", "Europe", "Japan", "India", "China")
        )
        total_off = sum(
            flow(off, o, "China", "hightech").loc[window].mean() for o in ("US", "Europe", "Japan", "India", "China")
        )
        assert abs(total_on / total_off - 1.0) < 0.05  # demand diverted, not destroyed


def control_effects(regime, horizons=(5, 15, 30)):
    """Per-seed (bilateral, total) effects on the US balance (% of US GDP), by horizon."""
    out = {h: [] for h in horizons}
    for seed in SEEDS:
        on, off = pair("export_controls", seed, {"country.China.exchange_rate_regime": regime})
        for h in horizons:
            w = slice(10, 10 + h - 1)
            bil = (balance(on, "US", "China") / on.series("gdp")["US"]).loc[w].mean() - (
                balance(off, "US", "China") / off.series("gdp")["US"]
            ).loc[w].mean()
            tot = (
                on.share_of_gdp("current_account")["US"].loc[w].mean()
                - off.share_of_gdp("current_account")["US"].loc[w].mean()
            )
            out[h].append((bil, tot))
    return {h: np.array(v) for h, v in out.items()}


def test_the_total_effect_of_export_controls_is_smaller_than_the_bilateral_one_under_every_regime():
    from scipy import stats

    for regime in ("float", "managed", "peg"):
        for h, eff in control_effects(regime).items():
            bil, tot = eff[:, 0], eff[:, 1]
            half = stats.t.ppf(0.975, len(tot) - 1) * tot.std(ddof=1) / np.sqrt(len(tot))
            # the whole confidence interval of the total effect is smaller in magnitude than the
            # bilateral effect, in every horizon and regime
            assert max(abs(tot.mean() - half), abs(tot.mean() + half)) < abs(bil.mean()), (
                regime,
                h,
                tot.mean(),
                bil.mean(),
            )


# 2. tariffs and retaliation -----------------------------------------------------------------------


def test_a_tariff_cuts_the_targeted_surplus_diverts_exports_and_is_front_run():
    doc = load_toml(SCN / "tariffs.toml")
    no_retaliation = copy.deepcopy(doc)
    for c in no_retaliation["country"]:
        c.pop("retaliation", None)
    for seed in SEEDS:
        on = sim.simulate(sim.load_scenario(no_retaliation, file="tariffs"), seed=seed)
        off = sim.simulate(sim.load_scenario(without_events("tariffs"), file="tariffs"), seed=seed)
        w = slice(10, 19)
        share = lambda r, w=w: (balance(r, "China", "US") / r.series("gdp")["China"]).loc[w].mean()  # noqa: E731
        assert share(on) < share(off) - 0.01  # China's surplus with the US falls by over 1% of its GDP
        for third in ("Europe", "Japan", "India"):
            assert flow(on, "China", third).loc[w].mean() > flow(off, "China", third).loc[w].mean()  # diverted
        # announced a tick ahead: US buyers front-run it
        assert flow(on, "China", "US").loc[9] > 1.1 * flow(off, "China", "US").loc[9]


def test_retaliation_cuts_trade_in_both_directions():
    doc = load_toml(SCN / "tariffs.toml")
    no_retaliation = copy.deepcopy(doc)
    for c in no_retaliation["country"]:
        c.pop("retaliation", None)
    for seed in SEEDS:
        ret = sim.simulate(sim.load_scenario(doc, file="tariffs"), seed=seed)
        plain = sim.simulate(sim.load_scenario(no_retaliation, file="tariffs"), seed=seed)
        off = sim.simulate(sim.load_scenario(without_events("tariffs"), file="tariffs"), seed=seed)
        w = slice(12, 20)
        assert flow(ret, "US", "China").loc[w].mean() < 0.8 * flow(plain, "US", "China").loc[w].mean()
        assert flow(ret, "China", "US").loc[w].mean() < 0.8 * flow(off, "China", "US").loc[w].mean()
        assert ret.series("mean_tariff")["China"].loc[11] > 0.05  # China matched the 25% tariff (on 1 of 4 partners)


# 3. state-bank lending and overcapacity ---------------------------------------------------------


def world_relative_price(res, sector, numeraire="labor"):
    def avg(s):
        p, q = res.series(f"price_{s}"), res.series(f"output_{s}")
        return (p * q).sum(axis=1) / q.sum(axis=1)

    return avg(sector) / avg(numeraire)


def test_state_lending_makes_exports_surge_debt_mount_and_the_world_price_fall():
    w = slice(10, 25)
    for seed in SEEDS:
        on, off = pair("state_lending", seed)
        assert (
            on.series("exports_hightech")["China"].loc[w].mean()
            > 1.5 * off.series("exports_hightech")["China"].loc[w].mean()
        )
        assert (
            on.series("firm_debt_hightech")["China"].loc[w].min() > 0
            and off.series("firm_debt_hightech")["China"].max() == 0
        )
        assert on.series("firm_debt_hightech")["China"].loc[24] > on.series("firm_debt_hightech")["China"].loc[10]
        assert (
            world_relative_price(on, "hightech").loc[w].mean()
            < world_relative_price(off, "hightech").loc[w].mean() - 0.03
        )

        # partners' producers lose market share
        def share(r, w=w):
            return (r.series("output_hightech")["US"] / r.series("output_hightech").sum(axis=1)).loc[w].mean()  # noqa: E731

        assert share(on) < share(off) - 0.02


# 4. settlement currency ---------------------------------------------------------------------------


def test_a_falling_dollar_share_raises_the_issuers_funding_cost_and_narrows_its_deficit():
    w = slice(12, 30)
    for seed in SEEDS:
        on, off = pair("settlement", seed)
        rate = on.series("borrowing_rate")["US"].loc[w].mean() - off.series("borrowing_rate")["US"].loc[w].mean()
        ca = (
            on.share_of_gdp("current_account")["US"].loc[w].mean()
            - off.share_of_gdp("current_account")["US"].loc[w].mean()
        )
        assert rate > 0.002, rate  # funding costs at least 0.2 pp more
        assert ca > 0.003, ca  # the deficit narrows by at least 0.3% of GDP
