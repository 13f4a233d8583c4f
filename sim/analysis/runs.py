"""Many runs at once: find run folders and tabulate their summaries."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sim.analysis.cycles import SUMMARY_KEYS, Rule, summary
from sim.analysis.measures import as_results
from sim.analysis.phases import PhaseThresholds
from sim.errors import TradesimError
from sim.results import Results


def find_runs(paths: Iterable[str | Path], depth: int = 2) -> list[Path]:
    """Run folders (holding ``manifest.json``) among ``paths``: a path that is a run is kept, a
    folder that is not is searched up to ``depth`` levels down (``results/`` or
    ``results/<scenario>/``). Sorted, without duplicates.

    Raises:
        TradesimError: a path does not exist or holds no run.
    """
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise TradesimError(f"{p} does not exist")
        if (p / "manifest.json").exists():
            found.append(p)
            continue
        hits: list[Path] = []
        level = [p]
        for _ in range(depth):
            level = [
                c for q in level if q.is_dir() for c in sorted(q.iterdir()) if c.is_dir() and not c.name.startswith(".")
            ]
            hits += [c for c in level if (c / "manifest.json").exists()]
            level = [c for c in level if not (c / "manifest.json").exists()]
        if not hits:
            raise TradesimError(f"{p} is not a finished run (no manifest.json) and holds none")
        found += hits
    return sorted(set(found))


def summaries(
    runs: Iterable[Results | str | Path],
    rule: Rule = "standard",
    thresholds: PhaseThresholds | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """One row per run: scenario, seed, run id, path and the keys of :func:`summary`.

    Args:
        runs: runs (``sim.Results``) or run folders.
        rule: dating rule.
        thresholds: phase thresholds.
        progress: show a tqdm bar.
    """
    items = list(runs)
    if progress:
        from tqdm import tqdm

        items = tqdm(items, desc="analysing", unit="run", leave=False)
    rows = []
    for item in items:
        res = as_results(item)
        sim = res.scenario.simulation
        rows.append(
            {
                "scenario": sim.name,
                "seed": sim.seed,
                "run_id": (res.manifest or {}).get("run_id"),
                "path": str(res.path) if res.path is not None else None,
                **summary(res, rule, thresholds),
            }
        )
    return pd.DataFrame(rows, columns=["scenario", "seed", "run_id", "path", *SUMMARY_KEYS])
