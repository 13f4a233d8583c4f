"""Everything the analysis computes for one run, in one object: :func:`analyse`.

Figures and the report read an :class:`Analysis`; each figure function also accepts a bare
``sim.Results`` and analyses it first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import measures
from sim.analysis.cycles import Rule, cycle_table, metrics_from, turning_point_table
from sim.analysis.dating import CycleRule, TurningPoints, date_turning_points, get_rule
from sim.analysis.filters import hp_trend_cycle
from sim.analysis.phases import PhaseThresholds, label_phases
from sim.results import Results


@dataclass
class Analysis:
    """One run analysed.

    Attributes:
        results: the run.
        rule: the dating rule applied.
        thresholds: the phase thresholds applied.
        dt: years between logged observations.
        index: the imbalance index per tick (share of world GDP).
        tp: the dated turning points (positions index ``index``).
        phases: (T,) phase label per tick.
        world: per tick: year, world GDP, the index, its smoothed value, HP trend and cycle, the
            phase and the dispersion of development levels.
        countries: per (tick, country): balance, NFA and reserves measures.
        turning_points: one row per turning point.
        cycles: one row per full cycle.
        metrics: the summary numbers (:data:`sim.analysis.cycles.SUMMARY_KEYS`).
    """

    results: Results
    rule: CycleRule
    thresholds: PhaseThresholds
    dt: float
    index: pd.Series
    tp: TurningPoints
    phases: np.ndarray
    world: pd.DataFrame
    countries: pd.DataFrame
    turning_points: pd.DataFrame
    cycles: pd.DataFrame
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def ticks(self) -> np.ndarray:
        """The logged ticks, in order."""
        return self.index.index.to_numpy()

    @property
    def years(self) -> np.ndarray:
        """Calendar year of each logged tick."""
        return self.world["year"].to_numpy()

    def largest_peak_tick(self) -> int:
        """Tick of the highest dated peak (smoothed), or of the index's maximum if none is dated."""
        peaks = self.tp.peaks
        if peaks.size:
            return int(self.ticks[peaks[np.argmax(self.tp.smoothed[peaks])]])
        return int(self.index.idxmax())


def analyse(
    results: Results | str | Path, rule: Rule = "standard", thresholds: PhaseThresholds | None = None
) -> Analysis:
    """Compute every measure, the turning points, phases and cycle table of a run.

    Args:
        results: the run (``sim.Results``) or a finished run folder.
        rule: dating rule (preset name, CycleRule or mapping).
        thresholds: phase thresholds (default :class:`PhaseThresholds`).
    """
    results = measures.as_results(results)
    r = get_rule(rule)
    th = thresholds or PhaseThresholds()
    dt = measures.series_dt(results)
    index = measures.imbalance_index(results)
    tp = date_turning_points(index.to_numpy(), dt, r)
    phases = label_phases(tp, th)
    trend, cycle = hp_trend_cycle(index, dt)
    yr = measures.years(results).reindex(index.index)
    world = pd.DataFrame(
        {
            "tick": index.index.to_numpy(dtype=np.int64),
            "year": yr.to_numpy(),
            "world_gdp": results.series("gdp").sum(axis=1).reindex(index.index).to_numpy(),
            "imbalance_index": index.to_numpy(),
            "smoothed": tp.smoothed,
            "hp_trend": trend.to_numpy(),
            "hp_cycle": cycle.to_numpy(),
            "phase": phases,
            "development_dispersion": measures.development_dispersion(results).reindex(index.index).to_numpy(),
        }
    )
    return Analysis(
        results=results,
        rule=r,
        thresholds=th,
        dt=dt,
        index=index,
        tp=tp,
        phases=phases,
        world=world,
        countries=measures.country_measures(results),
        turning_points=turning_point_table(results, tp, index),
        cycles=cycle_table(results, tp, index),
        metrics=metrics_from(index.to_numpy(), tp, phases),
    )
