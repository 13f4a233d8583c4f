"""View data of the classroom demo, computed from a running model's recorder arrays.

Every function takes a :class:`sim.model.TradeModel` whose recorder logs every tick (the demo
builds it so) and returns plain NumPy arrays: no tables are built per step, so a view costs
microseconds. The same quantities from a finished run's tables are in :mod:`sim.analysis`;
the tests check the two agree.

The live phase (:func:`live_phases`) labels the global imbalance index as it grows, using only
the ticks seen so far; the retrospective labels of a finished run
(:func:`sim.analysis.label_phases`) also use the turning points dated later, so the two can
differ near turns (docs/demo.md says how).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from sim.analysis.dating import PRESETS
from sim.analysis.filters import odd_window, window_ticks
from sim.analysis.phases import BALANCE, IMBALANCE, REBALANCING, PhaseThresholds
from sim.viz.captions import Situation

if TYPE_CHECKING:
    from sim.model import TradeModel


def _logged(model: TradeModel) -> int:
    return len(model.recorder.ticks)


def _country(model: TradeModel, column: str) -> np.ndarray:
    """(T, N) a logged country column over the ticks run so far."""
    return model.recorder.country[column][: _logged(model)]


def years(model: TradeModel) -> np.ndarray:
    """(T,) calendar year of each logged tick (``start_year + tick * tick length``)."""
    ticks = np.asarray(model.recorder.ticks, dtype=float)
    return model.spec.simulation.start_year + ticks * model.spec.dt


WINDOW_YEARS = 200.0
"""The charts show at most this many years: a longer scenario's frame slides with the run."""


def span(model: TradeModel, most: float = WINDOW_YEARS) -> tuple[float, float]:
    """(first, last) calendar year of the charts' frame: the scenario's whole length, or for a
    scenario longer than ``most`` years, ``most`` years that slide once the run is 80% across.
    """
    sim, dt = model.spec.simulation, model.spec.dt
    start, end = float(sim.start_year), float(sim.start_year + sim.ticks * dt)
    if end - start <= most:
        return start, end
    now = float(years(model)[-1]) if len(model.recorder.ticks) else start
    first = min(max(start, now - 0.8 * most), end - most)
    return first, first + most


def event_years(model: TradeModel) -> list[float]:
    """Calendar years of the scenario's scheduled events (the levers' event included), sorted."""
    start, dt = model.spec.simulation.start_year, model.spec.dt
    return sorted({float(start + ev.tick * dt) for ev in model.initial_spec.event})


def balance_shares(model: TradeModel) -> np.ndarray:
    """(T, N) trade balance / GDP of each country per tick (a share: 0.02 = 2% of GDP)."""
    return _country(model, "trade_balance") / _country(model, "gdp")


def gdp(model: TradeModel) -> np.ndarray:
    """(T, N) GDP at market exchange rates, USD bn/yr."""
    return _country(model, "gdp").copy()


def imbalance_index(model: TradeModel) -> np.ndarray:
    """(T,) global imbalance index: sum of |current account| / world GDP per tick."""
    return np.abs(_country(model, "current_account")).sum(axis=1) / _country(model, "gdp").sum(axis=1)


def reserves_months(model: TradeModel) -> np.ndarray:
    """(T, N) official reserves in months of imports (NaN where imports are zero)."""
    imports = _country(model, "imports")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(imports > 0, _country(model, "reserves") / imports * 12.0, np.nan)


def bilateral_balance(model: TradeModel, back: int = 0) -> np.ndarray:
    """(N, N) bilateral trade balances, USD bn/yr: [a, b] = exports of a to b minus imports of a
    from b, summed over traded sectors at producer prices (antisymmetric; row sums are the
    trade balances).

    Args:
        model: the model (bilateral flows logged every tick).
        back: 0 for the last logged tick, k for k logged ticks before it (clipped to the first).
    """
    flows = model.recorder.bilateral
    if not flows:
        return np.zeros((model.n, model.n))
    e = flows[max(len(flows) - 1 - back, 0)].sum(axis=0)  # (S, N, N) -> origin x destination
    np.fill_diagonal(e, 0.0)
    return e - e.T


def mean_bilateral_balance(model: TradeModel, ticks: int, back: int = 0) -> np.ndarray:
    """(N, N) the bilateral balances (:func:`bilateral_balance`) averaged over ``ticks`` logged
    ticks ending ``back`` ticks before the last (fewer at the start), USD bn/yr.
    """
    k = len(model.recorder.bilateral)
    if k == 0:
        return np.zeros((model.n, model.n))
    last = max(k - 1 - back, 0)
    first = max(last - ticks + 1, 0)
    return np.mean([bilateral_balance(model, k - 1 - t) for t in range(first, last + 1)], axis=0)


def output_shares(model: TradeModel, sector: str) -> np.ndarray:
    """(T, N) each country's share of the world's gross output value of one sector (output at
    producer prices), per tick.
    """
    j = model.sectors.index(sector)
    k = _logged(model)
    value = model.recorder.sector["output"][:k, :, j] * model.recorder.sector["price"][:k, :, j]
    total = value.sum(axis=1, keepdims=True)
    return np.where(total > 0, value / np.where(total > 0, total, 1.0), 0.0)


@dataclass(frozen=True)
class LiveRule:
    """How the live phase is labelled (see :func:`live_phases`). Durations in years, levels in
    shares of world GDP. The defaults follow the analysis' ``standard`` rule and
    :class:`~sim.analysis.PhaseThresholds`.

    Attributes:
        smoothing_years: the analysis' smoothing window; live, only its trailing half exists.
        direction_years: the direction is the change of the smoothed index over this span.
        tolerance: a change within +-tolerance over ``direction_years`` keeps the previous
            direction (so noise does not flip the label).
        range_years: span of the recent range for the near-the-low balance rule (the standard
            rule's minimum cycle).
        floor: that range must be at least this (the standard rule's amplitude floor).
        balance_level: a smoothed index at or below this is balance.
        balance_fraction: the lowest this fraction of the recent range is balance.
        hold_years: a new label is shown once it has held this long (so a year of
            noise near a threshold does not flicker between phases).
    """

    smoothing_years: float = PRESETS["standard"].smoothing_years
    direction_years: float = 3.0
    tolerance: float = 0.002
    range_years: float = PRESETS["standard"].min_cycle_years
    floor: float = PRESETS["standard"].min_amplitude
    balance_level: float = PhaseThresholds().balance_level
    balance_fraction: float = PhaseThresholds().balance_fraction
    hold_years: float = 3.0


def hold_labels(labels: np.ndarray, n: int) -> np.ndarray:
    """(T,) the labels with every change delayed until the new label has held ``n`` ticks in a
    row; shorter runs keep the label before them. Causal: the result at t uses ticks <= t only.
    """
    raw = np.asarray(labels)
    out = raw.copy()
    if n <= 1:
        return out
    for t in range(1, raw.size):
        new = raw[t] != out[t - 1] and t + 1 >= n and bool((raw[t - n + 1 : t + 1] == raw[t]).all())
        out[t] = raw[t] if new else out[t - 1]
    return out


def trailing_mean(x: np.ndarray, n: int) -> np.ndarray:
    """(T,) mean of the last ``n`` observations up to each one (fewer at the start)."""
    x = np.asarray(x, dtype=float)
    c = np.concatenate([[0.0], np.cumsum(x)])
    idx = np.arange(x.size)
    lo = np.maximum(idx + 1 - n, 0)
    return (c[idx + 1] - c[lo]) / (idx + 1 - lo)


def smoothing_ticks(dt: float, rule: LiveRule | None = None) -> int:
    """Observations the live index averages: the trailing half of the analysis window plus one."""
    return odd_window((rule or LiveRule()).smoothing_years, dt) // 2 + 1


def live_smoothed(index: np.ndarray, dt: float, rule: LiveRule | None = None) -> np.ndarray:
    """(T,) the imbalance index as the live phase sees it: the trailing mean over
    :func:`smoothing_ticks` observations.
    """
    return trailing_mean(index, smoothing_ticks(dt, rule))


def live_phases(index: np.ndarray, dt: float, rule: LiveRule | None = None) -> np.ndarray:
    """(T,) phase of each tick of the imbalance index from the ticks up to it only.

    1. Smooth: the analysis' centred moving average can only use its trailing half at the
       latest tick, so ``s[t]`` is the mean of the last ``h + 1`` observations, ``h`` half the
       analysis window (7 years: ``s[t]`` averages the last 4 years).
    2. Direction: the change ``s[t] - s[t - k]`` over ``direction_years``; below
       ``-tolerance`` it is narrowing, above ``+tolerance`` widening, in between the previous
       direction holds (widening at the start).
    3. Level: balance when ``s[t] <= balance_level``, or when the index is not falling, the
       range of ``s`` over the last ``range_years`` is at least ``floor`` and ``s[t]`` lies in
       its lowest ``balance_fraction`` (just after a trough: the retrospective rule also calls
       the last part of a fall balance, which live cannot be told from the rest of the fall).
       Otherwise ``imbalance`` while widening or standing and ``rebalancing`` while narrowing.
    4. Hold: a new label is shown once it has held for ``hold_years`` (:func:`hold_labels`);
       shorter runs keep the phase before them.

    Causal: the label of tick t is the same whatever follows it.

    Args:
        index: (T,) the global imbalance index, share of world GDP.
        dt: years per observation.
        rule: the thresholds (default :class:`LiveRule`).
    """
    r = rule or LiveRule()
    x = np.asarray(index, dtype=float)
    t = x.size
    if t == 0:
        return np.empty(0, dtype="<U11")
    s = live_smoothed(x, dt, r)
    k = window_ticks(r.direction_years, dt)
    change = s - s[np.maximum(np.arange(t) - k, 0)]
    step = np.where(change < -r.tolerance, -1, np.where(change > r.tolerance, 1, 0))
    # carry the last non-zero direction forward (widening before the first)
    last = np.maximum.accumulate(np.where(step != 0, np.arange(t), -1))
    direction = np.where(last >= 0, step[np.maximum(last, 0)], 1)
    w = window_ticks(r.range_years, dt)
    padded = np.concatenate([np.full(w - 1, np.nan), s])
    win = sliding_window_view(padded, w)
    lo, hi = np.nanmin(win, axis=1), np.nanmax(win, axis=1)
    span = hi - lo
    # near the recent low once the fall has stopped (while falling, s is always at its
    # trailing low, so the rule would fire on every fall)
    near_low = (direction > 0) & (span >= r.floor) & (s - lo <= r.balance_fraction * span)
    balance = (s <= r.balance_level) | near_low
    raw = np.where(balance, BALANCE, np.where(direction < 0, REBALANCING, IMBALANCE))
    return hold_labels(raw, window_ticks(r.hold_years, dt))


def live_phase(model: TradeModel, rule: LiveRule | None = None) -> str:
    """The live phase at the model's last tick (``balance`` before the first tick)."""
    labels = live_phases(imbalance_index(model), model.spec.dt, rule)
    return str(labels[-1]) if labels.size else BALANCE


def situation(model: TradeModel, span_years: float = 3.0, focus: tuple[str, str] | None = None) -> Situation:
    """The numbers the caption is made from: the last logged tick and ``span_years`` before it
    (or the first tick, if the run is shorter). Bilateral balances are averaged over the same
    trailing window as the imbalance index (:func:`smoothing_ticks`: 4 years).

    Args:
        model: a model that has run at least one tick.
        span_years: how far back "then" is, years.
        focus: (country, partner) names to describe, or None for the largest bilateral balance.
    """
    k_all = _logged(model)
    if k_all == 0:
        raise ValueError("the model has not run a tick yet")
    back = min(window_ticks(span_years, model.spec.dt), k_all - 1)
    yrs = years(model)
    index = imbalance_index(model)
    phases = live_phases(index, model.spec.dt)
    smooth = live_smoothed(index, model.spec.dt)
    sector = model.spec.world.development.relocation_sector
    shares = output_shares(model, sector)
    last = model.recorder.ticks[-1]
    first = model.recorder.ticks[-1 - back]
    start, dt = model.spec.simulation.start_year, model.spec.dt
    k = smoothing_ticks(dt)
    events = [
        (start + ev.tick * dt, ev.note)
        for ev in sorted(model.initial_spec.event, key=lambda e: e.tick)
        if first < ev.tick <= last or (back == 0 and ev.tick == last)
    ]
    return Situation(
        year=float(yrs[-1]),
        span_years=float(yrs[-1] - yrs[-1 - back]),
        names=list(model.names),
        bilateral_now=mean_bilateral_balance(model, k),
        bilateral_before=mean_bilateral_balance(model, k, back),
        gdp_now=_country(model, "gdp")[-1].copy(),
        sector=sector,
        share_now=shares[-1],
        share_before=shares[-1 - back],
        phase=str(phases[-1]),
        phase_before=str(phases[-1 - back]),
        index_now=float(smooth[-1]),
        index_before=float(smooth[-1 - back]),
        index_years=k * dt,
        bilateral_years=k * dt,
        dt=model.spec.dt,
        focus=None if focus is None else (model.names.index(focus[0]), model.names.index(focus[1])),
        events=events,
    )
