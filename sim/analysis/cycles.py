"""Cycles of the imbalance index: the headline numbers (:func:`cycle_metrics`, :func:`summary`),
the turning-point table and the cycle table (who held the surpluses and deficits, whose share of
the world's surplus rose or fell).

Every function here takes a rule (a preset name, a :class:`CycleRule` or a mapping) and
optional :class:`PhaseThresholds`; the defaults are the ``standard`` rule and the documented
thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.dating import PEAK, CycleRule, TurningPoints, date_turning_points
from sim.analysis.filters import centred_moving_average
from sim.analysis.measures import as_results, imbalance_index, series_dt, years
from sim.analysis.phases import PhaseThresholds, label_phases, phase_shares
from sim.results import Results

SUMMARY_KEYS = (
    "n_cycles",
    "mean_period_years",
    "mean_amplitude",
    "time_in_balance",
    "time_in_imbalance",
    "time_in_rebalancing",
    "imbalance_mean",
    "imbalance_max",
    "imbalance_sd_smoothed",
    "largest_rise",
    "largest_fall",
)
"""The keys of :func:`summary` and :func:`cycle_metrics`, in order (a stable interface)."""

Rule = str | CycleRule | Mapping[str, Any]

NAN = float("nan")


def metrics_from(values: np.ndarray, tp: TurningPoints, labels: np.ndarray) -> dict[str, float | int]:
    """The summary numbers from a dated series (see :func:`cycle_metrics` for their meaning)."""
    s = tp.smoothed
    cycles = tp.cycles()
    periods = [(e - a) * tp.dt for a, _, e in cycles]
    amplitudes = [s[p] - 0.5 * (s[a] + s[e]) for a, p, e in cycles]
    rises, falls = [], []
    pos, kinds = tp.positions, tp.kinds
    for i in range(len(pos) - 1):
        step = float(s[pos[i + 1]] - s[pos[i]])
        (falls if kinds[i] == PEAK else rises).append(abs(step))
    shares = phase_shares(labels)
    x = np.asarray(values, dtype=float)
    return {
        "n_cycles": len(cycles),
        "mean_period_years": float(np.mean(periods)) if periods else NAN,
        "mean_amplitude": float(np.mean(amplitudes)) if amplitudes else NAN,
        "time_in_balance": shares["balance"],
        "time_in_imbalance": shares["imbalance"],
        "time_in_rebalancing": shares["rebalancing"],
        "imbalance_mean": float(x.mean()) if x.size else NAN,
        "imbalance_max": float(x.max()) if x.size else NAN,
        "imbalance_sd_smoothed": float(np.std(s)) if s.size else NAN,
        "largest_rise": max(rises) if rises else NAN,
        "largest_fall": max(falls) if falls else NAN,
    }


def cycle_metrics(
    index: pd.Series | np.ndarray, dt: float, rule: Rule = "standard", thresholds: PhaseThresholds | None = None
) -> dict[str, float | int]:
    """Headline cycle numbers of a bare imbalance-index series.

    Args:
        index: the index per observation (share of world GDP), evenly spaced.
        dt: years per observation.
        rule: dating rule (preset name, CycleRule or mapping).
        thresholds: phase thresholds (default :class:`PhaseThresholds`).

    Returns:
        A dict with exactly the keys of :data:`SUMMARY_KEYS`:
        ``n_cycles`` (full trough-peak-trough cycles), ``mean_period_years`` (mean trough-to-trough
        length), ``mean_amplitude`` (mean of smoothed peak minus the mean of its two smoothed
        troughs, share of world GDP), ``time_in_balance`` / ``_imbalance`` / ``_rebalancing``
        (shares of observations), ``imbalance_mean``, ``imbalance_max`` (raw index),
        ``imbalance_sd_smoothed`` (population std of the smoothed index), ``largest_rise`` and
        ``largest_fall`` (largest smoothed change between consecutive dated turning points,
        positive). Undefined numbers (e.g. no cycle) are NaN.
    """
    values = np.asarray(index, dtype=float)
    tp = date_turning_points(values, dt, rule)
    return metrics_from(values, tp, label_phases(tp, thresholds))


def summary(
    results: Results | str | Path, rule: Rule = "standard", thresholds: PhaseThresholds | None = None
) -> dict[str, Any]:
    """Headline cycle numbers of a run's imbalance index (keys: :data:`SUMMARY_KEYS`).

    Args:
        results: a run (``sim.Results``) or a finished run folder.
        rule: dating rule (preset name, CycleRule or mapping).
        thresholds: phase thresholds.
    """
    res = as_results(results)
    return cycle_metrics(imbalance_index(res), series_dt(res), rule, thresholds)


def turning_point_table(results: Results, tp: TurningPoints, index: pd.Series) -> pd.DataFrame:
    """One row per dated turning point: tick, year, kind, raw and smoothed index."""
    ticks = index.index.to_numpy()
    yr = years(results).reindex(ticks).to_numpy()
    p = tp.positions
    return pd.DataFrame(
        {
            "tick": ticks[p].astype(np.int64),
            "year": yr[p],
            "kind": np.where(tp.kinds == PEAK, "peak", "trough"),
            "index": index.to_numpy()[p],
            "smoothed": tp.smoothed[p],
        }
    )


def _ranked(values: pd.Series, top: int, largest: bool) -> str:
    v = values.sort_values(ascending=not largest).head(top)
    v = v[v > 0] if largest else v[v < 0]
    return ", ".join(f"{c} {100 * x:+.2f}%" for c, x in v.items())


def smoothed_balances(results: Results, index: pd.Series, window: int) -> pd.DataFrame:
    """Current accounts as shares of world GDP, tick x country, smoothed with the same centred
    moving average as the index (``window`` observations), so that "at the peak" means the same
    thing for the index and for the countries.
    """
    ticks = index.index
    ca = results.series("current_account").reindex(ticks)
    world_gdp = results.series("gdp").reindex(ticks).sum(axis=1)
    share = ca.div(world_gdp, axis=0)
    return share.apply(lambda col: pd.Series(centred_moving_average(col.to_numpy(), window), index=ticks))


CYCLE_COLUMNS = [
    "cycle",
    "start_tick",
    "peak_tick",
    "end_tick",
    "start_year",
    "peak_year",
    "end_year",
    "duration_years",
    "rise_years",
    "fall_years",
    "peak_index",
    "peak_smoothed",
    "amplitude",
    "largest_surplus",
    "largest_surplus_share",
    "largest_deficit",
    "largest_deficit_share",
    "surpluses_at_peak",
    "deficits_at_peak",
    "surplus_gainer",
    "surplus_gain",
    "surplus_loser",
    "surplus_loss",
]


def cycle_table(results: Results, tp: TurningPoints, index: pd.Series, top: int = 3) -> pd.DataFrame:
    """One row per full cycle (trough -> peak -> trough).

    Columns: ticks and years of start, peak and end; ``duration_years``, ``rise_years``,
    ``fall_years``; ``peak_index`` (raw) and ``peak_smoothed``; ``amplitude`` (smoothed peak minus
    the mean of the two smoothed troughs, share of world GDP); at the peak, the country with the
    largest surplus and deficit and their current accounts as shares of world GDP, smoothed like
    the index (:func:`smoothed_balances`; ``largest_surplus_share`` > 0, ``largest_deficit_share``
    < 0), and the ``top`` of each as text;
    ``surplus_gainer`` / ``surplus_loser``: whose share of the world's surplus (sum of positive
    current accounts) rose / fell most from the rise (start to peak) to the fall (peak to end),
    with the change in percentage points of that share (``surplus_gain`` > 0, ``surplus_loss`` < 0).
    """
    ticks = index.index.to_numpy()
    yr = years(results).reindex(ticks).to_numpy()
    ca_world = smoothed_balances(results, index, tp.window)
    surplus = results.series("current_account").reindex(ticks).clip(lower=0.0)
    s = tp.smoothed
    rows = []
    for k, (a, p, e) in enumerate(tp.cycles(), start=1):
        at_peak = ca_world.iloc[p]
        rise = surplus.iloc[a : p + 1].sum()
        fall = surplus.iloc[p : e + 1].sum()
        share_rise = rise / rise.sum() if rise.sum() > 0 else rise * np.nan
        share_fall = fall / fall.sum() if fall.sum() > 0 else fall * np.nan
        change = (share_fall - share_rise) * 100.0
        valid = change.notna().any()
        rows.append(
            {
                "cycle": k,
                "start_tick": int(ticks[a]),
                "peak_tick": int(ticks[p]),
                "end_tick": int(ticks[e]),
                "start_year": yr[a],
                "peak_year": yr[p],
                "end_year": yr[e],
                "duration_years": (e - a) * tp.dt,
                "rise_years": (p - a) * tp.dt,
                "fall_years": (e - p) * tp.dt,
                "peak_index": float(index.iloc[p]),
                "peak_smoothed": float(s[p]),
                "amplitude": float(s[p] - 0.5 * (s[a] + s[e])),
                "largest_surplus": str(at_peak.idxmax()),
                "largest_surplus_share": float(at_peak.max()),
                "largest_deficit": str(at_peak.idxmin()),
                "largest_deficit_share": float(at_peak.min()),
                "surpluses_at_peak": _ranked(at_peak, top, largest=True),
                "deficits_at_peak": _ranked(at_peak, top, largest=False),
                "surplus_gainer": str(change.idxmax()) if valid else "",
                "surplus_gain": float(change.max()) if valid else NAN,
                "surplus_loser": str(change.idxmin()) if valid else "",
                "surplus_loss": float(change.min()) if valid else NAN,
            }
        )
    return pd.DataFrame(rows, columns=CYCLE_COLUMNS)
