"""The effect table of an experiment file as JSON, in the units the docs print (percent of GDP
for shares, USD bn for flows): {arm: {metric: {base, arm, diff, t_low, t_high, agree}}}.

    python docs/numbers/effects.py scenarios/experiments/export_controls.toml

Runs in memory (nothing written), in this process.
"""

from __future__ import annotations

import json
import sys

from sim import style
from sim.experiment.run import run_experiment
from sim.experiment.spec import load_experiment


def main(path: str) -> dict:
    """Every (arm, metric) effect of the experiment file, rounded to 3 significant digits."""
    exp = load_experiment(path)
    comp = run_experiment(exp, workers=1, out=None, figures=False)
    out: dict = {}
    for row in comp.effects.to_dict("records"):
        m = next(x for x in comp.metrics if x.name == row["metric"])
        f, _ = style.metric_scale(m)
        out.setdefault(row["arm"], {})[m.name] = {
            "base": float(f"{row['base_mean'] * f:.3g}"),
            "arm": float(f"{row['arm_mean'] * f:.3g}"),
            "diff": float(f"{row['mean_diff'] * f:.3g}"),
            "t_low": float(f"{row['t_low'] * f:.3g}"),
            "t_high": float(f"{row['t_high'] * f:.3g}"),
            "agree": f"{int(row['sign_agreement'])}/{int(row['n'])}",
        }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main(sys.argv[1])
