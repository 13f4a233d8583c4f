"""docs/model.md section 8: uneven development (social capability below the threshold).

Prints, as JSON:

- ``world``: scenarios/uneven_development.toml (seed 1, 50 years): growth per year of log
  services productivity (percent) of the leader N, the capable follower A and its twin B below
  the threshold, and A's and B's log productivity relative to N at the start and the end;
- ``closed_form``: for B (capability 0.2, threshold 0.5, phi 0.4, investment effort a = 1) the
  growth shortfall at the frontier (1 - phi) g_F (percent a year) and the stationary gap
  gap* = (q + sqrt(q^2 + 4 q h)) / 2, q = (1 - phi) g_F / (kappa phi), with the relative
  productivity exp(-gap*) it implies;
- ``baseline_india``: the baseline (seed 1, 50 years) with India's capability 1 (the shipped
  world) and 0.25 (phi 0.5): India's growth per year of log services productivity (percent)
  and the closed-form stationary gap at phi 0.5 (a = 1, India's catch-up multiplier 1).

    python docs/numbers/uneven_development.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import sim
from sim.schema import Development

ROOT = Path(__file__).resolve().parents[2]


def steady_gap(phi: float, multiplier: float = 1.0) -> float:
    """Closed form of the stationary gap below the threshold (investment effort a = 1)."""
    dev = Development()
    q = (1.0 - phi) * dev.frontier_growth / (dev.catchup_speed * multiplier * phi)
    return (q + np.sqrt(q * q + 4.0 * q * dev.catchup_curvature)) / 2.0


def growth(res, country: str) -> float:
    """Growth per year of log services productivity over the run, percent."""
    p = np.log(res.series("productivity_services")[country])
    return float(100 * (p.iloc[-1] - p.iloc[0]) / (len(p) - 1))


def main() -> dict:
    """The numbers, rounded as the text quotes them."""
    res = sim.simulate(ROOT / "scenarios" / "uneven_development.toml", seed=1)
    p = np.log(res.series("productivity_services"))
    rel = p.sub(p["N"], axis=0)
    dev = Development()
    phi = 0.2 / dev.capability_threshold
    gap = steady_gap(phi)
    out = {
        "world": {
            "growth": {c: round(growth(res, c), 2) for c in ("N", "A", "B")},
            "A_start": round(float(rel["A"].iloc[0]), 2),
            "A_end": round(float(rel["A"].iloc[-1]), 2),
            "B_start": round(float(rel["B"].iloc[0]), 2),
            "B_end": round(float(rel["B"].iloc[-1]), 2),
        },
        "closed_form": {
            "phi": phi,
            "shortfall": round(100 * (1 - phi) * dev.frontier_growth, 2),
            "gap": round(float(gap), 2),
            "relative": round(float(np.exp(-gap)), 2),
        },
        "baseline_india": {},
    }
    for name, c in (("growth_capable", 1.0), ("growth_low", 0.25)):
        doc = sim.load_scenario(ROOT / "scenarios" / "baseline.toml", {"country.India.capability": c})
        r = sim.simulate(doc, seed=1, ticks=50)
        out["baseline_india"][name] = round(growth(r, "India"), 2)
        out["baseline_india"]["frontier"] = round(growth(r, "US"), 2)
    out["baseline_india"]["gap"] = round(float(steady_gap(0.25 / dev.capability_threshold)), 2)
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
