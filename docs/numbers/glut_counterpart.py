"""docs/model.md section 7.3: where the counterpart of one country's extra saving goes.

Runs scenarios/reserve_targets.toml (China targets 12 months of imports in reserves) and the same
world without the target, same seed, and prints, in the year China's current account rises most
above the no-target run relative to its GDP, each country's change of current account (billions of USD) and its
share of the others' GDP, as JSON.

    python docs/numbers/glut_counterpart.py
"""

from __future__ import annotations

import json
from pathlib import Path

import sim

ROOT = Path(__file__).resolve().parents[2]


def main() -> dict:
    """ΔCA by country at China's largest extra surplus, and the others' GDP shares."""
    path = ROOT / "scenarios" / "reserve_targets.toml"
    with_target = sim.simulate(path)
    without = sim.simulate(sim.load_scenario(path, {"country.China.reserve_target_months": 0.0}))
    diff = with_target.series("current_account") - without.series("current_account")
    # the year of the largest extra surplus relative to China's GDP (in bn USD, a late year of a
    # much larger economy can win with an extra surplus a tenth the size relative to GDP)
    tick = int((diff["China"] / without.series("gdp")["China"]).idxmax())
    gdp = without.series("gdp").loc[tick].drop("China")
    out = {
        "tick": tick,
        "china_extra_surplus": round(float(diff.loc[tick, "China"]), 1),
        "change": {c: round(float(v), 1) for c, v in diff.loc[tick].items()},
        "gdp_share_of_others": {c: round(float(v), 3) for c, v in (gdp / gdp.sum()).items()},
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
