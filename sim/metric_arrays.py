"""Metrics of a block of ensemble members straight from the recorder's arrays.

:func:`sim.metrics.evaluate` computes one run's metrics from its pandas tables. A sweep block of R
members would build R timeseries tables of 200-odd columns to read one or two columns of each;
:func:`evaluate_block` reads the same numbers from the recorder's buffers for all R members at
once and does the same floating-point operations on them, so every value is bit-identical to the
table path (``tests/test_metric_arrays.py`` compares both on every metric kind of the shipped
sweep and experiment files):

- a country's column is the buffer's column; ``share_of_gdp`` divides element by element;
- a sum over countries (world metrics) or over sectors (pair metrics) is what pandas' groupby sum
  does on ticks in order: ``np.add.reduceat`` over each tick's rows (the first value plus the
  pairwise sum of the rest). A pandas that sums groups otherwise (Kahan summation in pandas 2) is
  detected once (:func:`groupby_sum_is_reduceat`), and world and pair metrics then go through the
  tables;
- a window's mean, sum, max or min reduces each member's row of a C-contiguous (members, ticks)
  array along its last axis: the pairwise summation of the one run's 1-D array.

Fact metrics are computed the same way by :mod:`sim.history.fact_arrays`. Cycle metrics need
tables (the analysis module works on them), and so do members whose summed values hold a NaN (pandas then falls back to a NaN-skipping Kahan sum): the caller
evaluates those with :func:`sim.metrics.evaluate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.metrics import Metric

if TYPE_CHECKING:
    from sim.model import TradeModel

Series = tuple[np.ndarray, np.ndarray]
"""(ticks (T,) int64, values (M, T) float): one per-tick series for each member of a block."""


@lru_cache(maxsize=1)
def groupby_sum_is_reduceat() -> bool:
    """Whether this pandas sums sorted groups as ``np.add.reduceat`` does (pandas 3.1 does; a
    Kahan sum, as in pandas 2, gives other bits on these numbers).
    """
    v = np.array([1e16, 1.0, -1e16, 1.0, 1.0, 1e16, 1.0, -1e16, 0.1, 0.2, 0.3])
    groups = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2])
    got = pd.Series(v).groupby(groups, sort=True).sum().to_numpy()
    return bool(np.array_equal(got, np.add.reduceat(v, [0, 4, 8])))


def from_arrays(metric: Metric) -> bool:
    """Whether :func:`evaluate_block` computes this metric (else it needs the run's tables)."""
    if metric.kind == "country":
        return True
    return metric.kind in ("world", "pair", "fact") and groupby_sum_is_reduceat()


def _tick_sums(x: np.ndarray) -> np.ndarray:
    """(M, T) sums over the last axis of (M, T, W), each (member, tick) as pandas sums a group."""
    m, t, w = x.shape
    flat = x.reshape(-1)
    return np.add.reduceat(flat, np.arange(0, flat.size, w)).reshape(m, t) if flat.size else np.zeros((m, t))


class _Block:
    """The block's columns, read once each."""

    def __init__(self, model: TradeModel, members: np.ndarray):
        self.model, self.members = model, members
        self.ticks = np.asarray(model.recorder.ticks, dtype=np.int64)
        self.bilateral_ticks = np.asarray(model.recorder.bilateral_ticks, dtype=np.int64)
        self.bad = np.zeros(len(members), dtype=bool)  # members the tables must evaluate
        self._cols: dict[str, np.ndarray] = {}
        self._sums: dict[str, np.ndarray] = {}

    def column(self, name: str) -> np.ndarray:
        if name not in self._cols:
            self._cols[name] = self.model.recorder.column_block(self.model, name, self.members)
        return self._cols[name]

    def world_sum(self, name: str, values=None) -> np.ndarray:
        if name not in self._sums:
            x = self.column(name) if values is None else values
            self.bad |= np.isnan(x).any(axis=(1, 2))
            self._sums[name] = _tick_sums(x)
        return self._sums[name]

    def series(self, metric: Metric) -> Series:
        """The metric's per-tick series for every member (as :func:`sim.metrics.metric_series`)."""
        if metric.kind == "country":
            i = self.model.names.index(metric.where)
            s = self.column(metric.column)[:, :, i]
            if metric.share_of_gdp:
                s = s / self.column("gdp")[:, :, i]
            return self.ticks, np.ascontiguousarray(s)
        if metric.kind == "world":
            if metric.column == "imbalance_index":
                s = self.world_sum("|current_account|", np.abs(self.column("current_account")))
                s = s / self.world_sum("gdp")
            elif metric.column == "world_interest_rate":
                x = self.column("world_interest_rate")
                self.bad |= np.isnan(x).any(axis=(1, 2))  # groupby first skips NaN
                s = x[:, :, 0].copy()
            else:
                s = self.world_sum(metric.column)
            if metric.share_of_gdp:
                s = s / self.world_sum("gdp")
            return self.ticks, s
        a, b = (self.model.names.index(c) for c in metric.where.split("|"))
        ex = self.model.recorder.flow_block(a, b, self.members)
        im = self.model.recorder.flow_block(b, a, self.members)
        if metric.sector:
            j = self.model.spec.traded.index(metric.sector)
            ex, im = ex[:, :, j : j + 1], im[:, :, j : j + 1]
        self.bad |= np.isnan(ex).any(axis=(1, 2)) | np.isnan(im).any(axis=(1, 2))
        ex, im = _tick_sums(ex), _tick_sums(im)
        s = {"balance": ex - im, "exports": ex, "imports": im}[metric.column]
        ticks = self.bilateral_ticks
        if metric.share_of_gdp:
            keep = np.isin(ticks, self.ticks)
            ticks, s = ticks[keep], s[:, keep]
            rows = np.searchsorted(self.ticks, ticks)
            s = s / self.column("gdp")[:, rows, a]
        return ticks, np.ascontiguousarray(s)


def _aggregate(metric: Metric, ticks: np.ndarray, values: np.ndarray, dt: np.ndarray) -> np.ndarray:
    """(M,) each member's value (as :func:`sim.metrics.aggregate` on its row)."""
    m = values.shape[0]
    if metric.stat == "at":
        pos = np.flatnonzero(ticks == metric.at)
        return values[:, pos[0]].copy() if pos.size else np.full(m, np.nan)
    lo, hi = metric.window
    # C order, so that each member's row is reduced as its 1-D array is (boolean indexing along
    # the last axis returns a Fortran-ordered copy, which numpy would sum column by column)
    vals = np.ascontiguousarray(values[:, (ticks >= lo) & (ticks <= hi)])
    if vals.shape[1] == 0:
        return np.full(m, np.nan)
    if metric.stat == "mean":
        return vals.mean(axis=1)
    if metric.stat == "sum":
        return vals.sum(axis=1) * dt
    if metric.stat == "max":
        return vals.max(axis=1)
    return vals.min(axis=1)


def evaluate_block(
    metrics: Sequence[Metric], model: TradeModel, members: Sequence[int], *, with_series: bool = False
) -> dict[int, tuple[dict[str, float], dict[str, Series]]]:
    """The metrics :func:`from_arrays` accepts, for members of a finished ensemble that ran to
    the end, computed from the recorder's arrays.

    Args:
        metrics: the metrics (others are skipped: evaluate them from tables).
        model: the ensemble, after its run.
        members: member indices, none of them failed.
        with_series: also return each member's series by :attr:`Metric.series_key`.

    Returns:
        member -> (values by metric name, series key -> (ticks, values)), for every member
        whose values are bit-identical to :func:`sim.metrics.evaluate`'s; members left out
        (a NaN in a summed series) must be evaluated from tables.
    """
    idx = np.asarray(members, dtype=np.intp)
    chosen = [m for m in metrics if from_arrays(m)]
    if idx.size == 0 or not chosen:
        return {int(r): ({}, {}) for r in idx}
    block = _Block(model, idx)
    dt = np.array([model.specs[r].dt for r in idx], dtype=float)
    series: dict[str, Series] = {}
    values: dict[str, np.ndarray] = {}
    facts = [m for m in chosen if m.kind == "fact"]
    if facts:
        from sim.history.fact_arrays import fact_block

        got, bad = fact_block(facts, model, idx)
        block.bad |= bad
        values.update({m.name: got[:, k] for k, m in enumerate(facts)})
    for metric in (m for m in chosen if m.kind != "fact"):
        key = metric.series_key
        if key not in series:
            series[key] = block.series(metric)
        values[metric.name] = _aggregate(metric, *series[key], dt)
    out: dict[int, tuple[dict[str, float], dict[str, Series]]] = {}
    for row, r in enumerate(idx):
        if block.bad[row]:
            continue
        vals = {name: float(v[row]) for name, v in values.items()}
        ser = {k: (t, s[row].copy()) for k, (t, s) in series.items()} if with_series else {}
        out[int(r)] = (vals, ser)
    return out
