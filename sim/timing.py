"""Time-consistent per-tick gains: the same adjustment per year whatever the tick length.

A partial adjustment that closes a share ``k`` of a gap per year closes
``1 - (1 - k) ** dt`` of it per tick of ``dt`` years, so that ``1 / dt`` ticks close ``k``
(``docs/model.md`` §2). Gains written as ``(1 - exp(-speed dt)) / bound`` are not of this
form: dividing by a stability bound after taking the per-tick share makes a quarter close more
per year than a year does. The bound is applied to the annual share first, then the annual share
is spread over the ticks; a per-tick share is never above the annual one, so a gain that is
stable with annual ticks is stable with shorter ones.
"""

from __future__ import annotations

import numpy as np


def per_tick(annual_share: np.ndarray | float, dt: float) -> np.ndarray | float:
    """Share of a gap closed per tick of ``dt`` years when ``annual_share`` (in [0, 1]) is closed
    per year: ``1 - (1 - annual_share) ** dt``.
    """
    if dt == 1.0:
        return annual_share
    return -np.expm1(dt * np.log1p(-np.minimum(annual_share, 1.0)))
