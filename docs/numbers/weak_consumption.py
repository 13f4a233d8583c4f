"""docs/model.md section 8 (weak consumption): China's imports against its exports, seed 1 of
scenarios/weak_consumption.toml (China consuming 70% of its income until tick 30, 78% after).

Prints as JSON: ``ratio_t0``, China's imports / exports at tick 0; ``ratio_5_20_min`` and
``_max``, the smallest and largest ratio over ticks 5-20; ``first_tick_above_1``, the first
tick after the event at tick 30 at which imports exceed exports.

    python docs/numbers/weak_consumption.py
"""

from __future__ import annotations

import json
from pathlib import Path

import sim

ROOT = Path(__file__).resolve().parents[2]


def main() -> dict:
    """The ratios (see the module docstring)."""
    res = sim.simulate(sim.load_scenario(ROOT / "scenarios" / "weak_consumption.toml"))
    ratio = res.series("imports")["China"] / res.series("exports")["China"]
    out = {
        "ratio_t0": round(float(ratio.loc[0]), 2),
        "ratio_5_20_min": round(float(ratio.loc[5:20].min()), 2),
        "ratio_5_20_max": round(float(ratio.loc[5:20].max()), 2),
        "first_tick_above_1": int(ratio.loc[30:][ratio.loc[30:] > 1.0].index[0]),
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
