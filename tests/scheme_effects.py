"""Each experiment's effects with annual and quarterly ticks against sixteenth-year ticks, for the
explicit (``simulation.responses = "next_tick"``) and the within-tick (``"within_tick"``) responses
(docs/model.md §2, "Which responses").

``PYTHONPATH=. python -m tests.scheme_effects [FILE ...]`` runs every experiment file of
``scenarios/experiments`` but ``endless_cycle.toml`` (whose effects come from the dates of random
innovations), noise off and one seed as in ``tests/test_timestep.py``, and prints one line per
(file, arm, metric, scheme), then a JSON line: per scheme, over the effects whose sixteenth-year
value is not zero, the median and mean relative error |annual - 1/16| / |1/16| and the same for
quarterly ticks, how many annual errors are over 10%, and, of the effects whose annual and
quarterly values differ by more than 10%, how many converge less than the issue's test allows
(quarterly error over 0.3 of the annual one). It takes about 3 minutes.
"""

from __future__ import annotations

import json
import sys

import numpy as np

import tests.timescale as ts
from sim import implicit
from tests.test_timestep import EXPERIMENTS

SCHEMES = {"next_tick": 0.0, "within_tick": implicit.WITHIN_TICK}


def scheme_effects(files: list[str]) -> dict[str, dict[str, tuple[float, float, float]]]:
    """(file|arm|metric) -> scheme -> (annual, quarterly, sixteenth-year) mean paired effect."""
    out: dict[str, dict[str, tuple[float, float, float]]] = {}
    try:
        for name in files:
            for scheme, theta in SCHEMES.items():
                implicit.THETA = theta
                ts._ticks_per_year(4)
                coarse = ts.effects(EXPERIMENTS / name)
                ts._ticks_per_year(16)
                fine = ts.effects(EXPERIMENTS / name)
                for (arm, metric), (annual, quarterly) in coarse.items():
                    ref = fine[(arm, metric)][1]
                    out.setdefault(f"{name}|{arm}|{metric}", {})[scheme] = (annual, quarterly, ref)
                    print(
                        f"{name} {arm} {metric} {scheme}: annual {annual:.5g}, quarterly {quarterly:.5g}, "
                        f"1/16 {ref:.5g}",
                        flush=True,
                    )
    finally:
        implicit.THETA = 0.0
        ts._ticks_per_year(4)
    return out


def summary(effects: dict[str, dict[str, tuple[float, float, float]]]) -> dict:
    """Per scheme: error statistics of the annual and quarterly effects against 1/16 (see above)."""
    keys = [k for k, v in effects.items() if v["next_tick"][2] != 0.0]
    res: dict = {"effects": len(keys)}
    err = {}
    for scheme in SCHEMES:
        a, q, r = (np.array([effects[k][scheme][i] for k in keys]) for i in range(3))
        err[scheme] = np.abs(a - r) / np.abs(r)
        far = np.abs(q - a) > 0.1 * np.abs(a)
        slow = far & ~(np.abs(q - r) < 0.3 * np.abs(a - r))
        res[scheme] = {
            "annual_median_pct": round(100 * float(np.median(err[scheme])), 1),
            "annual_mean_pct": round(100 * float(np.mean(err[scheme])), 1),
            "quarterly_median_pct": round(100 * float(np.median(np.abs(q - r) / np.abs(r))), 1),
            "quarterly_mean_pct": round(100 * float(np.mean(np.abs(q - r) / np.abs(r))), 1),
            "annual_over_10pct": int(np.sum(err[scheme] > 0.1)),
            "far": int(far.sum()),
            "not_first_order": int(slow.sum()),
            "not_first_order_names": [k for k, s in zip(keys, slow, strict=True) if s],
        }
    res["within_closer_annual"] = int(np.sum(err["within_tick"] < err["next_tick"]))
    return res


def main(files: list[str]) -> None:
    files = files or sorted(p.name for p in EXPERIMENTS.glob("*.toml") if p.stem != "endless_cycle")
    print(json.dumps(summary(scheme_effects(files))))


if __name__ == "__main__":
    main(sys.argv[1:])
