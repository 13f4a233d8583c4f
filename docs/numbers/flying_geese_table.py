"""docs/model.md section 8 (industrial transfer table): flying_geese.toml with relocation on and
off, the first six seeds of scenarios/experiments/flying_geese.toml, means over seeds.

Prints as JSON, per arm: E's and L's shares of world assembly capacity (productivity x labour
share x labour force in the labour-intensive sector) at tick 0 and tick 59; the change from
the first five years (ticks 0-4) to the last five (55-59) of R's balance with E, R's balance
with L (% of R's GDP) and E's balance with L (% of E's GDP); and the ratio of E's hightech
exports to L in the last five years to the first five.

    python docs/numbers/flying_geese_table.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import sim
from sim.experiment import load_experiment

ROOT = Path(__file__).resolve().parents[2]
FIRST, LAST = slice(0, 4), slice(55, 59)


def _one(rate: float, seed: int) -> dict[str, float]:
    scn = sim.load_scenario(
        ROOT / "scenarios" / "flying_geese.toml",
        {"world.development.relocation_rate": rate, "simulation.seed": seed},
    )
    r = sim.simulate(scn)
    ts, bil = r.timeseries, r.bilateral
    ts = ts.assign(cap=ts.productivity_labor * ts.labor_share_labor * ts.labor_force)
    cap = ts.pivot(index="tick", columns="country", values="cap")
    share = cap.div(cap.sum(axis=1), axis=0)
    gdp = ts.pivot(index="tick", columns="country", values="gdp")
    flows = bil.groupby(["tick", "origin", "destination"], observed=True)["value"].sum()

    def balance(a: str, c: str):
        to = flows.xs((a, c), level=("origin", "destination"))
        back = flows.xs((c, a), level=("origin", "destination"))
        return 100 * (to - back) / gdp[a]

    def change(series) -> float:
        return float(series.loc[LAST].mean() - series.loc[FIRST].mean())

    parts = bil[(bil.origin == "E") & (bil.destination == "L") & (bil.sector == "hightech")].set_index("tick")["value"]
    return {
        "E_share_start": float(share["E"].iloc[0]),
        "E_share_end": float(share["E"].iloc[-1]),
        "L_share_start": float(share["L"].iloc[0]),
        "L_share_end": float(share["L"].iloc[-1]),
        "R_balance_with_E_change": change(balance("R", "E")),
        "R_balance_with_L_change": change(balance("R", "L")),
        "E_balance_with_L_change": change(balance("E", "L")),
        "E_parts_to_L_growth": float(parts.loc[LAST].mean() / parts.loc[FIRST].mean()),
    }


def main() -> dict:
    """The table's numbers, with and without relocation."""
    seeds = load_experiment(ROOT / "scenarios" / "experiments" / "flying_geese.toml").seeds[:6]
    out = {}
    for arm, rate in (("with", 0.1), ("without", 0.0)):
        rows = [_one(rate, int(s)) for s in seeds]
        out[arm] = {k: round(float(np.mean([r[k] for r in rows])), 2) for k in rows[0]}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
