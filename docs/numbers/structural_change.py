"""docs/model.md section 8 (structural change): sector utilisation with and without workers moving
and budget shares moving with income, and the services path against income per worker.

Runs scenarios/baseline.toml and scenarios/flying_geese.toml (60 years, seed 1) with the default
world.structure (on) and with it switched off (reallocation_speed 0, every income elasticity 1),
and prints as JSON: each country's utilisation by sector in the first year and averaged over
years 50-59, both ways; and for the baseline's catching-up countries with the mechanism on, at
ticks 0, 10, ..., 50, log income per worker relative to the frontier since the start (y), the
services budget share and the services labour share.

    python docs/numbers/structural_change.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sim.model import TradeModel

ROOT = Path(__file__).resolve().parents[2]
TICKS = 60
OFF = {"world.structure.reallocation_speed": 0.0}


def _off(model: TradeModel) -> dict:
    return {**OFF, "world.structure.income_elasticity": dict.fromkeys(model.sectors, 1.0)}


def _run(path: Path, overrides: dict, follow: tuple[str, ...] = ()) -> dict:
    model = TradeModel(path, ticks=TICKS, overrides=overrides or None, datacollector=False)
    spec = model.spec
    base = np.array([spec.world.budget_shares[s] for s in model.sectors])
    util, path_rows = [], {c: {} for c in follow}
    for t in range(TICKS):
        st = model.state
        gap = st.log_base + st.log_innov + st.log_shock - st.log_frontier[:, None, :]
        y = (gap[0] - st.log_gap_start[0]) @ base  # the income this tick trades at
        model.step()
        util.append(st.util_sector[0].copy())
        if t % 10 == 0:
            budget = st.final_spend[0] / st.absorption[0][:, None]
            for c in follow:
                i = model.names.index(c)
                path_rows[c][str(t)] = {
                    "y": round(float(y[i]), 3),
                    "services_budget": round(float(budget[i, -1]), 3),
                    "services_labor": round(float(st.alloc[0, i, -1]), 3),
                    "primary_budget": round(float(budget[i, model.sectors.index("primary")]), 3),
                }
    util = np.array(util)
    out = {
        "first": {
            c: dict(zip(model.sectors, np.round(util[0, i], 2).tolist(), strict=True))
            for i, c in enumerate(model.names)
        },
        "end": {
            c: dict(zip(model.sectors, np.round(util[50:60, i].mean(axis=0), 2).tolist(), strict=True))
            for i, c in enumerate(model.names)
        },
    }
    if follow:
        out["path"] = path_rows
    return out


def main() -> dict:
    """Sector utilisation on and off, and the services path against income, as a dict."""
    out = {}
    for name, follow in (("baseline", ("China", "India")), ("flying_geese", ("L",))):
        path = ROOT / "scenarios" / f"{name}.toml"
        probe = TradeModel(path, ticks=1, datacollector=False)
        out[name] = {"on": _run(path, {}, follow), "off": _run(path, _off(probe))}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
