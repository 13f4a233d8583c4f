"""docs/model.md section 8 (the endless cycle): cycles counted per run in the endless-cycle
world, for uneven development ON and OFF at two price responses, and ON with one setting
changed at a time (where it holds and where it is fragile), each also OFF (``<name>_off``: the
amplitude comparison).

For the 12 seeds of scenarios/experiments/endless_cycle.toml (derived from its master seed 0),
500 years each, prints as JSON per setting: ``standard`` (mean cycles per run with the standard
dating rule), ``standard_min``, ``seeds_2`` (seeds with at least 2 cycles), ``strict`` and
``strict_seeds_2``, ``loose`` (mean cycles per run with those presets) and ``sd_pp`` (mean over
seeds of the smoothed index's standard deviation, percentage points of world GDP).

    python docs/numbers/endless_cycle.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import sim
from sim.analysis import measures
from sim.analysis.cycles import cycle_metrics
from sim.batch.task import derive_seed

ROOT = Path(__file__).resolve().parents[2]
SEEDS = 12
D = "world.development."
SETTINGS: dict[str, dict] = {
    "gamma_1_on": {},
    "gamma_1_off": {D + "uneven": False},
    "gamma_0_5_on": {"world.prices.price_response": 0.5},
    "gamma_0_5_off": {"world.prices.price_response": 0.5, D + "uneven": False},
    "innovator_0_25": {D + "innovator_adoption": 0.25},
    "innovator_1": {D + "innovator_adoption": 1.0},
    "innovator_at_once": {D + "innovator_adoption": 50.0},
    "rate_0_05": {D + "innovation_rate": 0.05},
    "rate_0_2": {D + "innovation_rate": 0.2},
    "one_sector": {D + "innovation_scope": "sector"},
    "noise_1": {D + "noise_sd": 0.01},
}
ROBUSTNESS = ("innovator_0_25", "innovator_1", "innovator_at_once", "rate_0_05", "rate_0_2", "one_sector", "noise_1")
SETTINGS |= {f"{k}_off": {**SETTINGS[k], D + "uneven": False} for k in ROBUSTNESS}


def counts(overrides: dict) -> dict[str, float]:
    """Cycle counts and smoothed SD over the 12 seeds of one setting."""
    scn = sim.load_scenario(ROOT / "scenarios" / "endless_cycle.toml", overrides)
    rows = []
    for k in range(SEEDS):
        res = sim.simulate(scn, seed=derive_seed(0, k))
        index = measures.imbalance_index(res).to_numpy()
        dt = measures.series_dt(res)
        rows.append({rule: cycle_metrics(index, dt, rule) for rule in ("standard", "strict", "loose")})
    std = np.array([r["standard"]["n_cycles"] for r in rows])
    strict = np.array([r["strict"]["n_cycles"] for r in rows])
    return {
        "standard": round(float(std.mean()), 2),
        "standard_min": int(std.min()),
        "seeds_2": int((std >= 2).sum()),
        "strict": round(float(strict.mean()), 2),
        "strict_seeds_2": int((strict >= 2).sum()),
        "loose": round(float(np.mean([r["loose"]["n_cycles"] for r in rows])), 2),
        "sd_pp": round(100 * float(np.mean([r["standard"]["imbalance_sd_smoothed"] for r in rows])), 2),
    }


def main() -> dict:
    """Every setting's counts (see the module docstring)."""
    out = {name: counts(o) for name, o in SETTINGS.items()}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
