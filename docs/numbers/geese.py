"""The industrial-transfer numbers of docs/model.md §8 as JSON: for a flying-geese scenario, with
relocation on (the scenario's rate) and off, means over seeds 1-6 of each late-comer's share of
world assembly capacity (last five years), the changes from the first to the last five years in
R's balance with each other country (% of R's GDP) and in E's balance with L (% of E's GDP), the
growth of E's parts exports to L, each destination's largest utilisation, the year from which
its utilisation stays within 5% of full use, its largest current account and its lowest FDI
income (% of GDP).

    python docs/numbers/geese.py scenarios/flying_geese.toml

Further ``key=value`` arguments override the scenario in both arms (numbers), e.g. structural
change off: ``world.structure.reallocation_speed=0 world.structure.income_elasticity.primary=1
world.structure.income_elasticity.services=1``.
"""

from __future__ import annotations

import json
import sys

import numpy as np

import sim

SEEDS = range(1, 7)


def one(path: str, seed: int, relocation: bool, extra: dict | None = None) -> dict:
    """The measures of one run (shares 0..1, balances and incomes in % of GDP)."""
    over = dict(extra or {}) | ({} if relocation else {"world.development.relocation_rate": 0.0})
    res = sim.simulate(sim.load_scenario(path, over or None), seed=seed)
    names = res.countries
    cap = res.series("output_labor")
    share = cap.div(cap.sum(axis=1), axis=0)
    bil = res.bilateral
    off = bil[bil.origin != bil.destination]
    flows = off.groupby(["tick", "origin", "destination"], observed=True)["value"].sum()
    gdp = res.series("gdp")
    ticks = sorted(res.timeseries.tick.unique())
    first, last = ticks[:5], ticks[-5:]

    def balance(a: str, b: str, window: list[int]) -> float:
        x = np.mean([flows.get((t, a, b), 0.0) - flows.get((t, b, a), 0.0) for t in window])
        return 100 * x / gdp[a].loc[window].mean()

    parts = off[(off.origin == "E") & (off.destination == "L") & (off.sector == "hightech")]
    parts = parts.groupby("tick", observed=True)["value"].sum()
    out = {f"{c}_share_end": float(share[c].loc[last].mean()) for c in names}
    out |= {f"{c}_share_start": float(share[c].loc[first].mean()) for c in names}
    out |= {f"R_with_{c}_change": balance("R", c, last) - balance("R", c, first) for c in names if c != "R"}
    out["E_with_L_change"] = balance("E", "L", last) - balance("E", "L", first)
    out["E_parts_to_L_growth"] = float(parts.loc[last].mean() / parts.loc[first].mean())
    ca = 100 * res.share_of_gdp("current_account")
    for c in names[1:]:
        util = res.series("utilisation")[c].to_numpy()
        out[f"{c}_util_max"] = float(util.max())
        off_band = np.flatnonzero(np.abs(util - 1.0) >= 0.05)
        out[f"{c}_within_5pct_from"] = float(off_band[-1] + 1 if off_band.size else 0)
        out[f"{c}_ca_max"] = float(ca[c].max())
        if "fdi_income" in res.timeseries:
            out[f"{c}_fdi_income_min"] = float((100 * res.share_of_gdp("fdi_income"))[c].min())
    return out


def main(path: str, extra: dict | None = None) -> dict:
    """Means over the seeds with relocation on and off, printed as one JSON line."""
    out = {}
    for arm, on in (("on", True), ("off", False)):
        runs = [one(path, s, on, extra) for s in SEEDS]
        out[arm] = {k: round(float(np.mean([r[k] for r in runs])), 3) for k in runs[0]}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main(sys.argv[1], {k: float(v) for k, v in (a.split("=", 1) for a in sys.argv[2:])})
