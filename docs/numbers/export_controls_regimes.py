"""docs/model.md section 8 (export controls): the effect of the US controls on the US balance
with China and on its total current account, % of US GDP, averaged over the first 5, 15 and 30
years of the controls (ticks 10-14, 10-24, 10-39), for China floating, managed and pegged.

Builds, in a temporary folder, one experiment per regime (scenarios/export_controls.toml with
``country.China.exchange_rate_regime`` set, against the same world without the controls, 8
seeds as scenarios/experiments/export_controls.toml) and prints
{regime: {horizon: {"bilateral": mean diff, "total": mean diff, "half_width": widest
t-interval half-width of the two}}} as JSON.

    python docs/numbers/export_controls_regimes.py
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from sim.experiment.run import run_experiment
from sim.experiment.spec import load_experiment

ROOT = Path(__file__).resolve().parents[2]
HORIZONS = (5, 15, 30)
SCENARIO = (ROOT / "scenarios" / "export_controls.toml").as_posix()


def _file(regime: str) -> str:
    metrics = "".join(
        f"""
[[metric]]
name = "bilateral_{h}"
pair = ["US", "China"]
column = "balance"
share_of_gdp = true
ticks = [10, {9 + h}]

[[metric]]
name = "total_{h}"
country = "US"
column = "current_account"
share_of_gdp = true
ticks = [10, {9 + h}]
"""
        for h in HORIZONS
    )
    regime_set = f'"country.China.exchange_rate_regime" = "{regime}"'
    return f"""seeds = 8
[base]
scenario = "{SCENARIO}"
set = {{ event = [], {regime_set} }}
[[arm]]
name = "controls"
scenario = "{SCENARIO}"
set = {{ {regime_set} }}
{metrics}"""


def main() -> dict:
    """The effects per regime and horizon (see the module docstring)."""
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for regime in ("float", "managed", "peg"):
            path = Path(tmp) / f"{regime}.toml"
            path.write_text(_file(regime), encoding="utf-8")
            comp = run_experiment(load_experiment(path), workers=1, out=None, figures=False)
            rows = {r["metric"]: r for r in comp.effects.to_dict("records")}
            out[regime] = {
                str(h): {
                    "bilateral": round(100 * rows[f"bilateral_{h}"]["mean_diff"], 2),
                    "total": round(100 * rows[f"total_{h}"]["mean_diff"], 2),
                    "half_width": round(
                        100
                        * max(
                            (rows[f"{k}_{h}"]["t_high"] - rows[f"{k}_{h}"]["t_low"]) / 2 for k in ("bilateral", "total")
                        ),
                        3,
                    ),
                }
                for h in HORIZONS
            }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
