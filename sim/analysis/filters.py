"""Trend and cycle of a series: a centred moving average (used for dating), the Hodrick-Prescott
filter with its smoothing parameter scaled to the tick length, and the Baxter-King band-pass.

Windows are given in years and converted with the spacing of the series (``dt``, years per
observation), so the same call means the same thing for annual and quarterly runs.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

HP_LAMBDA_ANNUAL = 6.25
"""Ravn and Uhlig (2002): lambda = 6.25 for annual data, scaled by (observations per year)^4
(1600 for quarterly, 129600 for monthly)."""


def window_ticks(years: float, dt: float) -> int:
    """Number of observations spanning ``years`` (at least 1), rounded half up.

    Args:
        years: a duration in years.
        dt: years per observation.
    """
    if dt <= 0:
        raise ValueError(f"dt must be positive (years per observation), not {dt}")
    return max(1, math.floor(years / dt + 0.5 - 1e-9))


def odd_window(years: float, dt: float) -> int:
    """The odd number of observations closest to ``years / dt`` (the larger on a tie), for a
    centred window: 7 years annual -> 7, quarterly -> 29 (28 lies between 27 and 29), every
    2 years -> 3.
    """
    if dt <= 0:
        raise ValueError(f"dt must be positive (years per observation), not {dt}")
    n = years / dt
    low = 2 * math.floor((n - 1) / 2 + 1e-9) + 1
    return max(1, low + 2 if (low + 2 - n) <= (n - low) + 1e-9 else low)


def centred_moving_average(x: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average of odd length ``window``. Near the ends the window is truncated:
    each value averages the observations available within ``window // 2`` on each side.
    O(T) via cumulative sums.

    Args:
        x: (T,) series.
        window: odd number of observations (1 returns a copy).
    """
    x = np.asarray(x, dtype=float)
    if window <= 1 or x.size == 0:
        return x.copy()
    if window % 2 == 0:
        raise ValueError(f"the moving-average window must be odd, not {window}")
    h = window // 2
    t = x.size
    c = np.concatenate([[0.0], np.cumsum(x)])
    lo = np.clip(np.arange(t) - h, 0, t)
    hi = np.clip(np.arange(t) + h + 1, 0, t)
    return (c[hi] - c[lo]) / (hi - lo)


def hp_lambda(dt: float, annual: float = HP_LAMBDA_ANNUAL) -> float:
    """HP smoothing parameter for observations ``dt`` years apart: annual x (1/dt)^4.

    Args:
        dt: years per observation (1 annual, 0.25 quarterly).
        annual: the value for annual data (Ravn-Uhlig 6.25).
    """
    if dt <= 0:
        raise ValueError(f"dt must be positive (years per observation), not {dt}")
    return float(annual * (1.0 / dt) ** 4)


def hp_trend_cycle(series: pd.Series, dt: float, lamb: float | None = None) -> tuple[pd.Series, pd.Series]:
    """Hodrick-Prescott trend and cycle (statsmodels ``hpfilter``), same index as the input.

    Args:
        series: the series (e.g. the imbalance index, share of world GDP), evenly spaced.
        dt: years per observation; sets lambda by :func:`hp_lambda` unless ``lamb`` is given.
        lamb: the smoothing parameter, overriding the scaled default.

    Returns:
        (trend, cycle), with trend + cycle = series.
    """
    from statsmodels.tsa.filters.hp_filter import hpfilter

    lam = hp_lambda(dt) if lamb is None else float(lamb)
    values = np.asarray(series, dtype=float)
    if values.size < 3:
        trend = values.copy()
    else:
        cycle, trend = hpfilter(values, lamb=lam)
        trend = np.asarray(trend, dtype=float)
    return (
        pd.Series(trend, index=series.index, name="trend"),
        pd.Series(values - trend, index=series.index, name="cycle"),
    )


def bk_cycle(
    series: pd.Series, dt: float, low_years: float = 10.0, high_years: float = 60.0, k_years: float = 15.0
) -> pd.Series:
    """Baxter-King band-pass cycle (statsmodels ``bkfilter``): periods between ``low_years``
    and ``high_years`` kept; ``k_years`` of observations lost at each end (NaN there).

    Optional: the report uses the HP filter; this is for users who want a band-pass view of the
    long imbalance cycles (the defaults keep periods of 10 to 60 years).

    Args:
        series: evenly spaced series.
        dt: years per observation.
        low_years: shortest period kept, years.
        high_years: longest period kept, years.
        k_years: lead-lag length of the filter, years.
    """
    from statsmodels.tsa.filters.bk_filter import bkfilter

    values = np.asarray(series, dtype=float)
    low = max(2.0, low_years / dt)
    high = max(low + 1e-9, high_years / dt)
    k = window_ticks(k_years, dt)
    out = np.full(values.size, np.nan)
    if values.size > 2 * k:
        out[k : values.size - k] = np.asarray(bkfilter(values, low=low, high=high, K=k)).reshape(-1)
    return pd.Series(out, index=series.index, name="bk_cycle")
