"""How often the demo's live phase (sim.viz.data.live_phases: the years so far only) agrees with
the analysis' retrospective phase (sim.analysis.analyse, standard rule) over a whole run of each
shipped classroom scenario, levers at rest. docs/demo.md quotes these shares.

    python scripts/demo_phase_agreement.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.analysis import analyse  # noqa: E402
from sim.results import Results  # noqa: E402
from sim.viz import data  # noqa: E402
from sim.viz.demo_model import CLASSROOM, DemoModel  # noqa: E402


def main() -> None:
    """Print the share of years on which the two labels agree, per scenario (a table, then one
    JSON line of per cent by scenario for docs/checks.toml).
    """
    shares = {}
    for name in CLASSROOM:
        model = DemoModel(name)
        while model.running:
            model.step()
        ts, bil = model.recorder.tables(model)
        res = Results(timeseries=ts, bilateral=bil, scenario=model.initial_spec)
        live = data.live_phases(data.imbalance_index(model), model.spec.dt)
        retro = np.asarray(analyse(res).phases)
        shares[name] = round(float(100 * np.mean(live == retro)), 1)
        print(f"{name:<18} {shares[name]:4.0f}% of {live.size} ticks")
    print(json.dumps(shares))


if __name__ == "__main__":
    main()
