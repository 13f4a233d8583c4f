"""Phases per tick: ``balance``, ``imbalance`` (standing or widening) or ``rebalancing``
(narrowing), from level thresholds and the dated turning points.

The direction comes from the turning points: a tick after a trough and up to the next peak is
in a widening stretch, after a peak and up to the next trough in a narrowing one (a turning
point's own tick ends the stretch leading into it). Before the first turning point the
direction is the one leading into it, after the last the one leading out of it; with no turning
point at all, the series is narrowing if its smoothed value fell by at least the amplitude floor
from first to last tick, and otherwise widening or standing.

The level decides ``balance``: a tick is in balance when its smoothed index is at most
``balance_level``, or when, within a stretch whose smoothed range is at least the amplitude
floor, it lies in the lowest ``balance_fraction`` of that range (near the trough). Other ticks
are ``imbalance`` in widening stretches and ``rebalancing`` in narrowing ones. So between a peak
and the next trough there is never an ``imbalance`` tick, and between a trough and the next peak
never a ``rebalancing`` tick.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from sim.analysis.dating import PEAK, TurningPoints
from sim.errors import TradesimError

BALANCE = "balance"
IMBALANCE = "imbalance"
REBALANCING = "rebalancing"
PHASES = (BALANCE, IMBALANCE, REBALANCING)


@dataclass(frozen=True)
class PhaseThresholds:
    """Level thresholds for the ``balance`` label.

    Attributes:
        balance_level: a smoothed index at or below this is balance, share of world GDP
            (default 0.01: the sum of absolute current accounts is at most 1% of world GDP).
        balance_fraction: within a stretch between turning points (or a series end) whose
            smoothed range is at least the amplitude floor, the lowest this fraction of the range
            is balance (default 0.2: near the trough).
    """

    balance_level: float = 0.01
    balance_fraction: float = 0.2

    def __post_init__(self) -> None:
        if not 0.0 <= self.balance_level < 1.0:
            raise TradesimError(
                f"balance_level is a share of world GDP (0.01 is 1%): it must be in [0, 1), not {self.balance_level}"
            )
        if not 0.0 <= self.balance_fraction <= 1.0:
            raise TradesimError(f"balance_fraction must be in [0, 1], not {self.balance_fraction}")

    def as_dict(self) -> dict[str, Any]:
        """The thresholds as plain data (for summary.json)."""
        return asdict(self)


def stretches(tp: TurningPoints) -> list[tuple[int, int, bool]]:
    """The series cut at turning points: (first, last, narrowing) observation ranges, inclusive.

    A turning point's own observation ends the stretch leading into it.
    """
    n = tp.smoothed.size
    if n == 0:
        return []
    pos, kinds = tp.positions, tp.kinds
    if pos.size == 0:
        drop = float(tp.smoothed[0] - tp.smoothed[-1])
        return [(0, n - 1, drop > 0 and drop >= tp.floor)]
    out = []
    start = 0
    for p, k in zip(pos, kinds, strict=True):
        out.append((start, int(p), bool(k != PEAK)))  # leading into a trough: narrowing
        start = int(p) + 1
    if start <= n - 1:
        out.append((start, n - 1, bool(kinds[-1] == PEAK)))
    return out


def label_phases(tp: TurningPoints, thresholds: PhaseThresholds | None = None) -> np.ndarray:
    """(T,) phase label per observation of the dated series (see the module docs).

    Args:
        tp: the dated turning points (with the smoothed series).
        thresholds: level thresholds (defaults: :class:`PhaseThresholds`).
    """
    th = thresholds or PhaseThresholds()
    s = tp.smoothed
    labels = np.empty(s.size, dtype=object)
    for first, last, narrowing in stretches(tp):
        # the range of a stretch includes the turning point that opens it
        lo_i = max(first - 1, 0)
        seg = s[lo_i : last + 1]
        low, high = float(seg.min()), float(seg.max())
        part = s[first : last + 1]
        near_low = np.zeros(part.size, dtype=bool)
        if high - low >= tp.floor and high > low:
            near_low = (part - low) <= th.balance_fraction * (high - low)
        balance = (part <= th.balance_level) | near_low
        labels[first : last + 1] = np.where(balance, BALANCE, REBALANCING if narrowing else IMBALANCE)
    return labels.astype(str)


def phase_shares(labels: np.ndarray) -> dict[str, float]:
    """Share of observations in each phase (NaN for an empty series)."""
    n = len(labels)
    return {p: (float(np.count_nonzero(labels == p)) / n if n else float("nan")) for p in PHASES}
