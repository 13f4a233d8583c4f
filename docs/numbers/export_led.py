"""docs/model.md section 8 (export-led package): each lever of China's package against the same
world without any lever, seeds 1-8 of scenarios/export_led.toml (China pegged).

Prints as JSON, per arm (``package``, ``credit_only``, ``cost_cut_only``,
``undervaluation_only``), the mean over seeds and the min and max of the paired effects:

- ``ca_pp``: China's current account, % of GDP, mean of ticks 0-9, arm minus no lever;
- ``investment_pp``: China's investment, % of GDP, mean of ticks 0-9, arm minus no lever;
- ``potential_growth_pp``: growth of China's potential real GDP over ticks 0-10, pp a year
  (100 x log change / 10), arm minus no lever;

and for the package alone (seed 1): its current account (% of GDP) at ticks 0 and 15, the range
of the yearly investment effect (pp of GDP) over ticks 0-14, and China's utilisation at tick 0.

    python docs/numbers/export_led.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import sim

ROOT = Path(__file__).resolve().parents[2]
SEEDS = range(1, 9)
LEVERS = ("country.China.undervaluation", "country.China.unit_cost_cut", "country.China.export_credit")
ARMS = {
    "none": (0.0, 0.0, 0.0),
    "package": (0.15, 0.1, 0.8),
    "credit_only": (0.0, 0.0, 0.8),
    "cost_cut_only": (0.0, 0.1, 0.0),
    "undervaluation_only": (0.15, 0.0, 0.0),
}


def _run(arm: str, seed: int) -> sim.Results:
    overrides = {"simulation.ticks": 20, "simulation.seed": seed, **dict(zip(LEVERS, ARMS[arm], strict=True))}
    return sim.simulate(sim.load_scenario(ROOT / "scenarios" / "export_led.toml", overrides))


def _measures(res: sim.Results) -> np.ndarray:
    """(CA % GDP, investment % GDP, potential growth pp/yr) of China, first decade."""
    ca = 100 * res.share_of_gdp("current_account")["China"].loc[0:9].mean()
    inv = 100 * res.share_of_gdp("investment")["China"].loc[0:9].mean()
    pot = res.series("gdp_potential")["China"]
    return np.array([ca, inv, 100 * np.log(pot.loc[10] / pot.loc[0]) / 10])


def _r(x: float, digits: int = 2) -> float:
    return round(float(x), digits) + 0.0


def main() -> dict:
    """The effect table and the package's path (see the module docstring)."""
    runs = {arm: [_run(arm, s) for s in SEEDS] for arm in ARMS}
    base = np.array([_measures(r) for r in runs["none"]])
    out: dict = {}
    for arm in ARMS:
        if arm == "none":
            continue
        d = np.array([_measures(r) for r in runs[arm]]) - base
        out[arm] = {
            name: {"mean": _r(d[:, k].mean()), "min": _r(d[:, k].min()), "max": _r(d[:, k].max())}
            for k, name in enumerate(("ca_pp", "investment_pp", "potential_growth_pp"))
        }
    pkg, none = runs["package"][0], runs["none"][0]
    ca = 100 * pkg.share_of_gdp("current_account")["China"]
    dinv = 100 * (pkg.share_of_gdp("investment")["China"] - none.share_of_gdp("investment")["China"]).loc[0:14]
    out["package_path"] = {
        "ca_t0": _r(ca.loc[0], 1),
        "ca_t15": _r(ca.loc[15], 1),
        "investment_effect_min": _r(dinv.min(), 1),
        "investment_effect_max": _r(dinv.max(), 1),
        "utilisation_t0": _r(pkg.series("utilisation")["China"].loc[0], 3),
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
