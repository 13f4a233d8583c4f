"""Fact metrics of a block of ensemble members straight from the recorder's arrays.

:func:`sim.history.score.model_values` computes a run's value of each fact from its pandas tables
(a calibration to the history asks for 24 of them per run, and building the tables and grouping
them cost more than the run's ticks). :func:`fact_block` does the same floating-point operations
on the recorder's buffers for all members of a block at once, so every value is bit-identical to
the table path (``tests/test_fact_arrays.py`` compares both):

- a sum over an economy's countries (or over every country, or over the sectors of a pair of
  economies' flows) is what pandas' groupby sum does on each tick's rows in table order:
  ``np.add.reduceat`` (see :mod:`sim.metric_arrays`, whose check of the installed pandas it reuses);
- shares are ``100.0 * part / whole`` element by element, as the Series arithmetic does;
- the mean over a fact's years reduces each member's row of a C-contiguous (members, ticks) array
  along its last axis, the pairwise summation ``np.mean`` does on the one run's 1-D array.

Members with a NaN in a summed column (pandas would skip it) are reported back, for the caller
to evaluate from their tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.metric_arrays import _tick_sums
from sim.metrics import Metric

if TYPE_CHECKING:
    from sim.model import TradeModel

_RATIO = {
    "ca_gdp": "current_account",
    "exports_gdp": "exports",
    "imports_gdp": "imports",
    "trade_balance_gdp": "trade_balance",
    "reserves_gdp": "reserves",
}
"""Quantity -> the timeseries column divided by GDP (as :class:`sim.history.score._Run`)."""


class _FactBlock:
    """The block's columns and sums, read once each."""

    def __init__(self, model: TradeModel, members: np.ndarray):
        self.model, self.members = model, members
        self.names = list(model.names)
        self.ticks = np.asarray(model.recorder.ticks, dtype=np.int64)
        self.bilateral_ticks = np.asarray(model.recorder.bilateral_ticks, dtype=np.int64)
        self.bad = np.zeros(len(members), dtype=bool)
        self._cols: dict[str, np.ndarray] = {}
        self._sums: dict[tuple, np.ndarray] = {}
        self._series: dict[tuple, tuple[np.ndarray, np.ndarray] | None] = {}
        spec = model.specs[int(members[0])]
        starts = {(model.specs[int(r)].simulation.start_year, model.specs[int(r)].dt) for r in members}
        if len(starts) != 1:
            raise ValueError("members with different calendars")
        # the timeseries table's year column, first row of each tick, floored as _Run does
        self.year = np.floor((spec.simulation.start_year + self.ticks * spec.dt) + 1e-9)
        self.first = self.year.min() if len(self.year) else np.inf
        self.last = self.year.max() if len(self.year) else -np.inf

    def column(self, name: str) -> np.ndarray:
        if name not in self._cols:
            x = self.model.recorder.column_block(self.model, name, self.members)  # (M, T, N)
            self.bad |= np.isnan(x).any(axis=(1, 2))
            self._cols[name] = x
        return self._cols[name]

    def sum_over(self, name: str, countries: tuple[int, ...], absolute: bool = False) -> np.ndarray:
        """(M, T) sum of a column over countries (in table order) at each tick."""
        key = (name, countries, absolute)
        if key not in self._sums:
            x = self.column(name)
            if absolute:
                x = np.abs(x)
            if len(countries) != x.shape[2]:
                x = x[:, :, list(countries)]
            self._sums[key] = _tick_sums(np.ascontiguousarray(x))
        return self._sums[key]

    def series(self, economy: str, partner: str, q: str, mapping: dict[str, list[str]]):
        """(ticks, (M, T) values) of a quantity, or None if the economy is not in the model."""
        members = tuple(sorted({self.names.index(c) for c in mapping.get(economy, [])}))
        partners = tuple(sorted({self.names.index(c) for c in mapping.get(partner, [])})) if partner else ()
        key = (members, partners, q)
        if key not in self._series:
            self._series[key] = self._compute(members, partners, q)
        return self._series[key]

    def _compute(self, members: tuple[int, ...], partners: tuple[int, ...], q: str):
        if not members:
            return None
        every = tuple(range(len(self.names)))
        world_gdp = self.sum_over("gdp", every)
        if q == "global_imbalance":
            return self.ticks, 100.0 * self.sum_over("current_account", every, absolute=True) / world_gdp
        if q == "gdp_share":
            return self.ticks, 100.0 * self.sum_over("gdp", members) / world_gdp
        if q == "bilateral_balance":
            if not partners or not len(self.bilateral_ticks):
                return None
            out_flow = self._flows(members, partners)
            in_flow = self._flows(partners, members)
            ticks = self.bilateral_ticks
            pos, inside = self._locate(ticks)
            gdp = np.full((len(self.members), len(ticks)), np.nan)
            gdp[:, inside] = world_gdp[:, pos[inside]]
            return ticks, 100.0 * (out_flow - in_flow) / gdp
        if q.endswith("_usd_bn"):
            col = q.removesuffix("_usd_bn")
            if col == "trade_balance":
                return self.ticks, self.sum_over("exports", members) - self.sum_over("imports", members)
            return self.ticks, self.sum_over(col, members)
        col = _RATIO[q]
        return self.ticks, 100.0 * self.sum_over(col, members) / self.sum_over("gdp", members)

    def _flows(self, origins: tuple[int, ...], destinations: tuple[int, ...]) -> np.ndarray:
        """(M, bilateral ticks) flows from origins to destinations summed as the bilateral table's
        rows of each tick are (origin, then destination, then sector order); 0 where no row matches,
        as the table path's reindex fills.
        """
        parts = [self.model.recorder.flow_block(o, d, self.members) for o in origins for d in destinations]
        x = np.concatenate(parts, axis=2) if len(parts) > 1 else parts[0]  # (M, T, pairs * S)
        self.bad |= np.isnan(x).any(axis=(1, 2))
        return _tick_sums(np.ascontiguousarray(x))

    def _locate(self, ticks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of ``ticks`` among the timeseries' logged ticks, and whether each is logged."""
        pos = np.searchsorted(self.ticks, ticks)
        inside = (pos < len(self.ticks)) & (self.ticks[np.minimum(pos, len(self.ticks) - 1)] == ticks)
        return pos, inside

    def mean_over(self, ticks: np.ndarray, values: np.ndarray, start: int, end: int) -> np.ndarray:
        """(M,) mean of each member's series over the ticks of years start..end (NaN if none)."""
        pos, inside = self._locate(ticks)
        years = np.where(inside, self.year[np.minimum(pos, len(self.year) - 1)], np.nan)
        with np.errstate(invalid="ignore"):
            pick = (years >= start) & (years <= end)
        sel = np.ascontiguousarray(values[:, pick])
        if sel.shape[1] == 0:
            return np.full(len(self.members), np.nan)
        return np.mean(sel, axis=1)


def fact_block(metrics: Sequence[Metric], model: TradeModel, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(M, F) values of ``fact`` metrics for members of a finished ensemble, and (M,) whether each
    member must be evaluated from its tables instead (a NaN in a summed column).
    """
    block = _FactBlock(model, np.asarray(members, dtype=np.intp))
    out = np.full((len(members), len(metrics)), np.nan)
    for k, m in enumerate(metrics):
        economy, _, partner = m.where.partition("|")
        start, end = m.window
        if start < block.first or end > block.last:
            continue
        mapping = {e: list(c) for e, c in m.members}
        got = block.series(economy, partner, m.column, mapping)
        if got is not None:
            out[:, k] = block.mean_over(*got, start, end)
    return out, block.bad
