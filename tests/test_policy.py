"""Trade policy levers: each setting is changed against the same seeds and its effect asserted
in every seed with a margin; docs/model.md reports the numbers."""

from __future__ import annotations

import numpy as np

import sim
from sim.scenario import load_toml
from tests.conftest import ROOT

SCN = ROOT / "scenarios"
SEEDS = (1, 2, 3, 4, 5, 6)


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


# Tariffs, retaliation, state-bank lending and settlement currency: paired claims in
# scenarios/experiments/{tariffs,state_lending,settlement}.toml, run by tests/test_claims.py.
