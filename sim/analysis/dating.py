"""Turning points of a series (peaks and troughs of the imbalance index): a Bry-Boschan-style
rule of the project's own, with every window stated in years.

The rule (:class:`CycleRule`), on a series ``x`` observed every ``dt`` years:

1. Smooth: ``s`` = centred moving average of ``x`` over ``smoothing_years`` (odd number of
   observations, truncated at the ends). The series' own noise is ``std(x - s)``.
2. Candidates: every local maximum (peak) and minimum (trough) of ``s``; the first and last
   observation never are turning points. Plateaus count once, at their first observation.
   Peaks and troughs of a one-dimensional series alternate.
3. Censor, one turning point at a time, until none breaks a rule:

   - amplitude: the rise into and the fall out of a peak (fall into and rise out of a trough),
     measured on ``s``, must both be at least the floor
     ``max(min_amplitude, noise_multiple x noise)``;
   - phase: a peak-to-trough or trough-to-peak phase lasts at least ``min_phase_years``;
   - cycle: peak to peak and trough to trough last at least ``min_cycle_years``.

   The series' start and end stand in for the missing neighbours of the first and last turning
   points (their phase must reach the minimum and their amplitude is measured to the most
   extreme value of ``s`` in the stretch). Among the turning points involved in any breach, the
   one with the smallest prominence (the smaller of its two amplitudes; earliest on ties) is
   removed; its two neighbours, now of the same kind, merge into the more extreme one (earlier on
   ties), so peaks and troughs keep alternating. Every step removes at least one point, so the
   loop ends; each step is O(k) NumPy work on the k remaining points.

A full cycle is trough -> peak -> trough. The result is deterministic: no randomness, ties
broken by position.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from sim.analysis.filters import centred_moving_average, odd_window
from sim.errors import TradesimError

PEAK = 1
TROUGH = -1


@dataclass(frozen=True)
class CycleRule:
    """How turning points are dated. Durations in years, amplitudes in shares of world GDP
    (0.015 = 1.5 percentage points).

    Attributes:
        name: a label (presets: "standard", "strict", "loose").
        smoothing_years: length of the centred moving average applied before dating.
        min_phase_years: shortest rise (trough to peak) or fall (peak to trough).
        min_cycle_years: shortest peak-to-peak or trough-to-trough cycle.
        min_amplitude: absolute amplitude floor, share of world GDP.
        noise_multiple: relative floor, in multiples of the series' own noise
            (std of the raw series minus its smoothed version).
    """

    name: str = "custom"
    smoothing_years: float = 7.0
    min_phase_years: float = 6.0
    min_cycle_years: float = 20.0
    min_amplitude: float = 0.015
    noise_multiple: float = 3.0

    def __post_init__(self) -> None:
        bad = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "name":
                continue
            ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            if not ok or value < 0:
                bad.append(f"{f.name} must be a finite number >= 0, not {value!r}")
        if bad:
            raise TradesimError(f"cycle rule {self.name!r}: " + "; ".join(bad))

    def floor(self, noise: float) -> float:
        """The amplitude floor for a series with this noise (share of world GDP)."""
        return max(self.min_amplitude, self.noise_multiple * noise)

    def as_dict(self) -> dict[str, Any]:
        """The rule as plain data (for summary.json)."""
        return asdict(self)


PRESETS: dict[str, CycleRule] = {
    # the counting rule fixed before any run was measured, so it cannot be tuned to a result (docs/analysis.md)
    "standard": CycleRule("standard", 7.0, 6.0, 20.0, 0.015, 3.0),
    # every censoring threshold tightened by about a third; the smoothing is kept, because a
    # wider window also raises the noise estimate (the residual then holds part of the cycle)
    "strict": CycleRule("strict", 7.0, 8.0, 25.0, 0.02, 4.0),
    # looser smoothing and floor only: the study found it cannot tell uneven development ON from OFF
    "loose": CycleRule("loose", 5.0, 6.0, 20.0, 0.01, 3.0),
}


def get_rule(rule: str | CycleRule | Mapping[str, Any] = "standard") -> CycleRule:
    """A rule from a preset name, a CycleRule, or a mapping of CycleRule fields (missing fields
    take the standard values).
    """
    if isinstance(rule, CycleRule):
        return rule
    if isinstance(rule, str):
        if rule not in PRESETS:
            raise TradesimError(f"unknown cycle rule {rule!r}; presets are {', '.join(PRESETS)}")
        return PRESETS[rule]
    if isinstance(rule, Mapping):
        known = {f.name for f in fields(CycleRule)}
        unknown = sorted(set(rule) - known)
        if unknown:
            raise TradesimError(f"unknown cycle-rule fields {unknown}; known: {sorted(known)}")
        return CycleRule(**{"name": "custom", **rule})
    raise TradesimError(f"a cycle rule is a preset name, a CycleRule or a mapping, not {type(rule).__name__}")


@dataclass
class TurningPoints:
    """Dated turning points of one series.

    Attributes:
        positions: (k,) int, observation indices of the turning points, increasing.
        kinds: (k,) int, +1 peak, -1 trough; they alternate.
        smoothed: (T,) the smoothed series the dating used.
        noise: std of the raw series minus the smoothed one (same units as the series).
        floor: the amplitude floor applied.
        dt: years per observation.
        window: smoothing window, observations.
        min_phase: minimum phase, observations.
        min_cycle: minimum cycle, observations.
        rule: the rule applied.
    """

    positions: np.ndarray
    kinds: np.ndarray
    smoothed: np.ndarray
    noise: float
    floor: float
    dt: float
    window: int
    min_phase: int
    min_cycle: int
    rule: CycleRule

    @property
    def peaks(self) -> np.ndarray:
        """Indices of the peaks."""
        return self.positions[self.kinds == PEAK]

    @property
    def troughs(self) -> np.ndarray:
        """Indices of the troughs."""
        return self.positions[self.kinds == TROUGH]

    def cycles(self) -> list[tuple[int, int, int]]:
        """Full cycles as (start trough, peak, end trough) observation indices."""
        p, k = self.positions, self.kinds
        return [
            (int(p[i]), int(p[i + 1]), int(p[i + 2]))
            for i in range(len(p) - 2)
            if k[i] == TROUGH and k[i + 1] == PEAK and k[i + 2] == TROUGH
        ]


def _candidates(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local extrema of s (ends excluded), plateaus at their first observation."""
    d = np.diff(s)
    scale = float(np.max(np.abs(s))) if s.size else 0.0
    sign = np.sign(np.where(np.abs(d) <= 1e-13 * max(scale, 1e-300), 0.0, d))
    nz = np.flatnonzero(sign)
    if nz.size < 2:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    sg = sign[nz]
    change = np.flatnonzero(sg[:-1] != sg[1:])
    pos = nz[change] + 1
    kinds = np.where(sg[change] > 0, PEAK, TROUGH)
    return pos.astype(np.int64), kinds.astype(np.int64)


def _amplitudes(s: np.ndarray, pos: np.ndarray, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Amplitude into and out of each turning point (>= 0), ends measured to the stretch's extreme."""
    v = s[pos]
    before = np.empty(pos.size)
    after = np.empty(pos.size)
    if pos.size:
        before[1:] = np.abs(np.diff(v))
        after[:-1] = before[1:]
        head = s[: pos[0] + 1]
        tail = s[pos[-1] :]
        if kinds[0] == PEAK:
            before[0] = v[0] - head.min()
        else:
            before[0] = head.max() - v[0]
        if kinds[-1] == PEAK:
            after[-1] = v[-1] - tail.min()
        else:
            after[-1] = tail.max() - v[-1]
    return before, after


def _breaches(
    n_obs: int, pos: np.ndarray, prominence: np.ndarray, floor: float, min_phase: int, min_cycle: int
) -> np.ndarray:
    """(k,) bool: the turning point takes part in a breach of the amplitude, phase or cycle rule."""
    k = pos.size
    bad = prominence < floor
    edges = np.concatenate([[0], pos, [n_obs - 1]])
    short_phase = np.diff(edges) < min_phase  # (k+1,) phase j ends at point j
    bad |= short_phase[:-1] | short_phase[1:]
    if k >= 3:
        short_cycle = (pos[2:] - pos[:-2]) < min_cycle  # cycle from point j to j+2
        for shift in range(3):
            bad[shift : k - 2 + shift] |= short_cycle
    return bad


def date_turning_points(
    values: np.ndarray | Any, dt: float, rule: str | CycleRule | Mapping[str, Any] = "standard"
) -> TurningPoints:
    """Date peaks and troughs of a series with a Bry-Boschan-style rule (see the module docs).

    Args:
        values: (T,) the series, evenly spaced (e.g. the imbalance index, share of world GDP).
        dt: years per observation.
        rule: a preset name ("standard", "strict", "loose"), a CycleRule or a mapping of its fields.

    Returns:
        The turning points, the smoothed series and the floor used.
    """
    r = get_rule(rule)
    if not (dt > 0 and math.isfinite(dt)):
        raise TradesimError(f"dt must be a positive number of years per observation, not {dt}")
    x = np.asarray(values, dtype=float).reshape(-1)
    if not np.isfinite(x).all():
        raise TradesimError(f"the series has {int((~np.isfinite(x)).sum())} missing or infinite values")
    window = odd_window(r.smoothing_years, dt)
    s = centred_moving_average(x, window)
    noise = float(np.std(x - s)) if x.size else 0.0
    floor = r.floor(noise)
    min_phase = math.ceil(r.min_phase_years / dt - 1e-9)
    min_cycle = math.ceil(r.min_cycle_years / dt - 1e-9)
    pos, kinds = _candidates(s)
    while pos.size:
        before, after = _amplitudes(s, pos, kinds)
        prominence = np.minimum(before, after)
        bad = _breaches(x.size, pos, prominence, floor, min_phase, min_cycle)
        if not bad.any():
            break
        i = int(np.argmin(np.where(bad, prominence, np.inf)))
        keep = np.ones(pos.size, dtype=bool)
        keep[i] = False
        if 0 < i < pos.size - 1:
            a, b = i - 1, i + 1
            va, vb = s[pos[a]], s[pos[b]]
            more_extreme_b = vb > va if kinds[a] == PEAK else vb < va
            keep[a if more_extreme_b else b] = False
        pos, kinds = pos[keep], kinds[keep]
    return TurningPoints(
        positions=pos,
        kinds=kinds,
        smoothed=s,
        noise=noise,
        floor=floor,
        dt=float(dt),
        window=window,
        min_phase=min_phase,
        min_cycle=min_cycle,
        rule=r,
    )
