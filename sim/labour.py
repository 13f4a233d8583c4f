"""Structural change: workers move between sectors, and budget shares move with income.

Two pure functions on arrays with a leading member axis R, called from the model's develop and
trade stages:

- :func:`reallocate`: each country's labour shares move toward the shares its sectors' sales
  need (a sector's labour share times its utilisation), closing the gap at a stated speed
  (per year). With demand held fixed the gap closes exactly as exp(-speed * t).
- :func:`engel_shares`: final budget shares by country; a sector's share relative to another's
  grows with the difference of their income elasticities times log income per worker relative
  to the country's start (Engel's law: primary goods lose share, services gain it).

docs/model.md §7 (Structural change) has the equations and the sources of the speeds.
"""

from __future__ import annotations

import numpy as np

ENTRY_SHARE = 0.01
"""A sector with workers but under this share of the workforce recruits, when it runs hot, as if
it held this share (below it, the multiplicative rule would take decades to regrow a sector
from a trace)."""


def reallocate(alloc: np.ndarray, util_sector: np.ndarray, speed: np.ndarray, dt: float) -> np.ndarray:
    """Labour shares after one tick of movement toward the sectors that run hotter.

    The target share of sector s is the labour its real sales need at current productivity,
    ``alloc_s * u_s``, scaled to the country's workforce: ``target_s = alloc_s u_s / sum_k
    alloc_k u_k``. Shares move toward it by ``1 - exp(-speed * dt)``, so they stay
    non-negative and sum to one, and a sector without workers stays empty (entry comes from
    relocation or events). A sector under :data:`ENTRY_SHARE` that runs hot needs
    ``(ENTRY_SHARE - alloc_s)(u_s - 1)`` more workers. Wages are set per country and prices are cost-plus with a
    country-wide factor, so a sector that runs hotter is also the one that pays more.

    Args:
        alloc: (R, N, S1) labour shares by sector, summing to 1 per country.
        util_sector: (R, N, S1) utilisation by sector (real sales / capacity, 1 = full use).
        speed: (R, 1) reallocation speed per year (0 = shares fixed).
        dt: tick length in years.

    Returns:
        (R, N, S1) labour shares.
    """
    u = np.maximum(util_sector, 0.0)
    # a small sector that runs hot recruits as if it held ENTRY_SHARE of the workforce, so a
    # sector emptied by a past shock can grow back at the stated speed rather than from a trace
    small = np.where(alloc > 0, np.maximum(ENTRY_SHARE - alloc, 0.0), 0.0)
    need = alloc * u + small * np.maximum(u - 1.0, 0.0)
    total = need.sum(axis=-1, keepdims=True)
    target = np.where(total > 0, need / np.where(total > 0, total, 1.0), alloc)
    gain = (1.0 - np.exp(-speed * dt))[..., None]
    return alloc + gain * (target - alloc)


def engel_shares(base: np.ndarray, elasticity: np.ndarray, log_income: np.ndarray) -> np.ndarray:
    """Final budget shares by country at its income per worker (Engel curves).

    ``b_is = b_s exp(eta_s y_i) / sum_k b_k exp(eta_k y_i)``, with ``y_i`` log income per worker
    relative to the income at which ``b`` holds (each country's start). The log ratio of two
    sectors' shares changes by ``eta_s - eta_k`` per unit of log income; equal elasticities
    give ``b`` at every income (homothetic demand).

    Args:
        base: (R, S1) budget shares at the reference income (the world's ``budget_shares``).
        elasticity: (R, S1) income elasticities (relative: only differences matter).
        log_income: (R, N) log income per worker relative to the reference.

    Returns:
        (R, N, S1) budget shares, summing to 1 per country.
    """
    x = elasticity[:, None, :] * log_income[..., None]
    x = x - x.max(axis=-1, keepdims=True)  # overflow guard; cancels in the ratio
    w = base[:, None, :] * np.exp(x)
    return w / w.sum(axis=-1, keepdims=True)


def log_income_index(log_prod: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Log income per worker as a fixed-weight productivity index (budget-share weights).

    Wages follow trend productivity, so real income per worker moves with it; fixed weights keep
    the index free of the sector mix (moving workers does not change it).

    Args:
        log_prod: (R, N, S1) log trend productivity (catch-up and innovations).
        base: (R, S1) weights (the base budget shares).

    Returns:
        (R, N) the index.
    """
    return np.sum(log_prod * base[:, None, :], axis=-1)
