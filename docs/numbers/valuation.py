"""docs/model.md section 8 (valuation): flows against stocks, and what revaluation adds.

Runs scenarios/valuation.toml (Europe and Japan borrow in their own currencies, China and India
in dollars; the dollar falls 20% against the euro and the yen over ticks 10-11) and the same
world with every private claim in dollars, seed 1, and prints as JSON, in % of GDP (world GDP
for the world measures):

- each country's valuation change summed over ticks 10-11 (the dollar's fall);
- flows (sum of |current account|) and stocks (sum of |net foreign assets|) over world GDP at
  ticks 9, 11 and at the flows' and stocks' later peaks;
- the years after tick 12 in which flows narrow while stocks widen, with and without valuation.

    python docs/numbers/valuation.py
"""

from __future__ import annotations

import json
from pathlib import Path

import sim

ROOT = Path(__file__).resolve().parents[2]


def measures(res: sim.Results) -> dict:
    """Flows, stocks and valuation of one run, % of (world) GDP."""
    gdp = res.series("gdp")
    world = gdp.sum(axis=1)
    flows = 100 * res.series("current_account").abs().sum(axis=1) / world
    stocks = 100 * res.series("net_foreign_assets").abs().sum(axis=1) / world
    val = 100 * (res.series("valuation") / gdp).loc[10:11].sum()
    late = flows.loc[12:]
    diverge = [int(t) for t in late.index[1:] if flows[t] < flows[t - 1] and stocks[t] > stocks[t - 1]]
    return {
        "valuation_10_11": {c: round(float(v), 2) for c, v in val.items()},
        "flows": {t: round(float(flows[t]), 2) for t in (9, 11, 12, 30)},
        "stocks": {t: round(float(stocks[t]), 1) for t in (9, 11, 12, 30)},
        "stocks_peak_tick": int(stocks.idxmax()),
        "stocks_peak": round(float(stocks.max()), 1),
        "diverging_years": len(diverge),
        "diverging_first_last": [diverge[0], diverge[-1]] if diverge else [],
    }


def main() -> dict:
    """The two runs' measures."""
    path = ROOT / "scenarios" / "valuation.toml"
    names = sim.load_scenario(path).names
    dollar = {f"country.{c}.liabilities_own_currency": 0.0 for c in names}
    out = {
        "own_currency": measures(sim.simulate(path)),
        "all_dollar": measures(sim.simulate(sim.load_scenario(path, dollar))),
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
