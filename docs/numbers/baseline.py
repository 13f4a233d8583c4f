"""docs/model.md section 8 (baseline): the shape of the baseline's imbalances, seed 1.

Runs scenarios/baseline.toml for 1,000 ticks and prints as JSON:

- ``surplus``: for China and India, the largest current account (% of GDP) and the number of
  the first 60 years in which it is above 1% of GDP;
- ``us_ca_0_19``: the US current account, % of GDP, mean of ticks 0-19;
- ``index_peak`` and ``index_peak_tick``: the global imbalance index (sum of |CA| / world GDP, %)
  at its largest and when; ``index_mean_40_59`` and ``index_mean_100_199``: its means later;
- ``max_abs_ca``: the largest |CA| / GDP of any country in 1,000 ticks, %.

    python docs/numbers/baseline.py
"""

from __future__ import annotations

import json
from pathlib import Path

import sim

ROOT = Path(__file__).resolve().parents[2]


def _r(x: float, digits: int = 2) -> float:
    return round(float(x), digits) + 0.0


def main() -> dict:
    """The baseline's numbers (see the module docstring)."""
    res = sim.simulate(sim.load_scenario(ROOT / "scenarios" / "baseline.toml", {"simulation.ticks": 1000}))
    ca = 100 * res.share_of_gdp("current_account")
    gdp = res.series("gdp")
    index = 100 * (ca.abs() / 100 * gdp).sum(axis=1) / gdp.sum(axis=1)
    surplus = {}
    for c in ("China", "India"):
        surplus[c] = {"largest": _r(ca[c].max()), "years_above_1pct": int((ca[c].loc[0:59] > 1.0).sum())}
    out = {
        "surplus": surplus,
        "us_ca_0_19": _r(ca["US"].loc[0:19].mean()),
        "index_peak": _r(index.max()),
        "index_peak_tick": int(index.idxmax()),
        "index_mean_40_59": _r(index.loc[40:59].mean()),
        "index_mean_100_199": _r(index.loc[100:199].mean()),
        "max_abs_ca": _r(ca.abs().to_numpy().max()),
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
