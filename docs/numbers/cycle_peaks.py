"""docs/model.md section 8: the raw peaks of the imbalance cycle in the endless-cycle world.

For the 12 seeds of scenarios/experiments/endless_cycle.toml (uneven development ON, the
scenario's price response), each run's imbalance index (sum |CA| / world GDP) is dated with the
standard rule; at every dated peak the *raw* index's peak is its largest value within half the
smoothing window (3 years) of the dated peak (the smoothed series that dates the peak is lower
than the raw one at the top). Prints the distribution of those peaks over all cycles, in percent
of world GDP, as JSON (the values docs/checks.toml compares with the text).

    python docs/numbers/cycle_peaks.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import sim
from sim.analysis import analyse
from sim.batch.task import derive_seed

ROOT = Path(__file__).resolve().parents[2]
SEEDS = 12  # the experiment file's seeds, derived from its master seed 0


def raw_peaks(seed: int) -> list[float]:
    """The raw index's peak near each dated peak of one run, share of world GDP."""
    a = analyse(sim.simulate(ROOT / "scenarios" / "endless_cycle.toml", seed=seed))
    raw = a.index.to_numpy()
    half = a.tp.window // 2
    return [
        float(raw[max(0, p - half) : p + half + 1].max())
        for p, k in zip(a.tp.positions, a.tp.kinds, strict=True)
        if k == 1
    ]


def main() -> dict[str, float]:
    """The distribution of raw peaks over the 12 seeds, % of world GDP."""
    peaks = 100 * np.array([x for k in range(SEEDS) for x in raw_peaks(derive_seed(0, k))])
    out = {
        "peaks": int(peaks.size),
        "median": round(float(np.median(peaks)), 2),
        "p10": round(float(np.percentile(peaks, 10)), 2),
        "p90": round(float(np.percentile(peaks, 90)), 2),
        "share_2_to_8": round(float(np.mean((peaks >= 2) & (peaks <= 8))), 2),
        "largest": round(float(peaks.max()), 2),
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
