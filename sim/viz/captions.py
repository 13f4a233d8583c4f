"""A caption in plain language from the numbers of the last few years, e.g. "China's surplus
with the US is rising (120 bn USD a year, 1.5% of China's GDP) while labor-intensive
production moves from China to India. Global imbalances are unwinding: ...".

:func:`caption` takes a :class:`Situation` (plain numbers; :func:`sim.viz.data.situation`
builds one from a model) so every sentence can be checked on a constructed case. The rules,
each comparing now with ``span_years`` ago:

1. The focus pair (the levers' country and partner; else the pair with the largest bilateral
   balance), its balance averaged over the last few years (so a swing such as 53 -> -27 -> 128
   bn in three years does not flip the sentence): whose surplus it is, and whether it is rising,
   shrinking or steady (a change of at least :data:`CHANGE` of its size counts). A balance under
   :data:`BALANCED` of the surplus country's GDP is "about balanced", not a surplus.
2. Relocation: if a country's share of the world's output of the relocating sector rose by at
   least :data:`SHIFT` (1 percentage point), production of that sector "moves to" it (and
   "from" the country whose share fell most, if that fell by at least half as much).
3. The live phase and the imbalance index, now and then.
4. The latest scheduled event in the span, with its note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.analysis.phases import BALANCE, IMBALANCE, REBALANCING

CHANGE = 0.1
"""A bilateral balance that changed by at least this fraction of its size is rising or shrinking."""
BALANCED = 0.001
"""A bilateral balance under this share of the surplus country's GDP (0.1%) is about balanced."""
SHIFT = 0.01
"""A rise of a country's share of world output of a sector by this much (1 point) is a move."""
SECTOR_WORDS = {"labor": "labor-intensive", "hightech": "high-tech", "primary": "primary-goods"}
PHASE_WORDS = {
    BALANCE: "Global imbalances are small",
    IMBALANCE: "Global imbalances persist or grow",
    REBALANCING: "Global imbalances are unwinding",
}


@dataclass(frozen=True)
class Situation:
    """What the caption is made from: now and ``span_years`` ago.

    Attributes:
        year: calendar year now.
        span_years: years between "then" and now.
        names: country names (scenario order).
        bilateral_now: (N, N) bilateral balances now, USD bn/yr ([a, b]: a's exports to b minus
            its imports from b), averaged over the last ``bilateral_years``.
        bilateral_before: (N, N) the same then.
        gdp_now: (N,) GDP now, USD bn/yr.
        sector: the sector whose production relocates (e.g. ``"labor"``).
        share_now: (N,) each country's share of world output of that sector now.
        share_before: (N,) the same then.
        phase: the live phase now.
        phase_before: the live phase then.
        index_now: the global imbalance index now (averaged as the live phase averages it),
            share of world GDP.
        index_before: the same then.
        index_years: years the index is averaged over (1: not averaged).
        bilateral_years: years the bilateral balances are averaged over (1: not averaged).
        dt: years per tick (quarterly runs name quarters: "2021 Q2").
        focus: (country, partner) indices to describe, or None for the largest balance.
        events: (year, note) of the scheduled events in the span, oldest first.
    """

    year: float
    span_years: float
    names: list[str]
    bilateral_now: np.ndarray
    bilateral_before: np.ndarray
    gdp_now: np.ndarray
    sector: str
    share_now: np.ndarray
    share_before: np.ndarray
    phase: str
    phase_before: str
    index_now: float
    index_before: float
    index_years: float = 1.0
    bilateral_years: float = 1.0
    dt: float = 1.0
    focus: tuple[int, int] | None = None
    events: list[tuple[float, str]] = field(default_factory=list)


def country_words(name: str) -> str:
    """A country name in a sentence: short all-capital names take "the" ("the US")."""
    return f"the {name}" if name.isupper() and len(name) <= 3 else name


def possessive(name: str) -> str:
    """``"China's"``, ``"the US's"``."""
    return f"{country_words(name)}'s"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def pair_sentence(sit: Situation) -> str:
    """Rule 1: the focus pair's balance and its direction."""
    now = np.asarray(sit.bilateral_now, dtype=float)
    if sit.focus is not None:
        a, b = sit.focus
    else:
        a, b = np.unravel_index(int(np.argmax(now)), now.shape)
    value, before = float(now[a, b]), float(sit.bilateral_before[a, b])
    if value < 0:  # describe from the surplus side
        a, b, value, before = b, a, -value, -before
    names = sit.names
    gdp_a = float(sit.gdp_now[a])
    avg = f"{sit.bilateral_years:g}-year average: " if sit.bilateral_years > 1 else ""
    if gdp_a <= 0 or value < BALANCED * gdp_a:
        return (
            f"Trade between {country_words(names[a])} and {country_words(names[b])} is about balanced "
            f"({avg}under {100 * BALANCED:g}% of {possessive(names[a])} GDP)"
        )
    share = 100 * value / gdp_a
    size = f"{avg}{value:,.0f} bn USD a year, {share:.1f}% of {possessive(names[a])} GDP"
    if before < -BALANCED * gdp_a:
        return (
            f"{_cap(country_words(names[a]))} now runs a surplus with {country_words(names[b])} ({size}), "
            f"where {sit.span_years:g} years ago it ran a deficit"
        )
    change = value - before
    if change >= CHANGE * value:
        trend = "is rising"
    elif change <= -CHANGE * value:
        trend = "is shrinking"
    else:
        trend = "is steady"
    return f"{_cap(possessive(names[a]))} surplus with {country_words(names[b])} {trend} ({size})"


def relocation_clause(sit: Situation) -> str:
    """Rule 2: ``"labor-intensive production moves from China to India"``, or empty."""
    gain = np.asarray(sit.share_now, dtype=float) - np.asarray(sit.share_before, dtype=float)
    if gain.size < 2:
        return ""
    to, frm = int(np.argmax(gain)), int(np.argmin(gain))
    if gain[to] < SHIFT:
        return ""
    what = f"{SECTOR_WORDS.get(sit.sector, sit.sector)} production moves"
    if -gain[frm] >= SHIFT / 2:
        return f"{what} from {country_words(sit.names[frm])} to {country_words(sit.names[to])}"
    return f"{what} to {country_words(sit.names[to])}"


def phase_sentence(sit: Situation) -> str:
    """Rule 3: the phase in words and the index now and then."""
    now, then = 100 * sit.index_now, 100 * sit.index_before
    if round(now, 1) > round(then, 1):
        move = f"up from {then:.1f}%"
    elif round(now, 1) < round(then, 1):
        move = f"down from {then:.1f}%"
    else:
        move = "about where it was"
    lead = PHASE_WORDS.get(sit.phase, sit.phase)
    if sit.phase != sit.phase_before:
        lead += f" (a new phase: {sit.phase})"
    what = "the imbalance index" + (f" (average of {sit.index_years:g} years)" if sit.index_years > 1 else "")
    return f"{lead}: {what} is {now:.1f}% of world GDP, {move} {sit.span_years:g} years ago"


def year_words(year: float, dt: float = 1.0) -> str:
    """``"2010"``; with ticks shorter than a year, ``"2021 Q2"``."""
    if dt >= 1.0:
        return f"{year:.0f}"
    whole = int(np.floor(year + 1e-9))
    return f"{whole} Q{int(round((year - whole) * 4)) + 1}"


def event_sentence(sit: Situation) -> str:
    """Rule 4: the latest event in the span, or empty."""
    if not sit.events:
        return ""
    year, note = sit.events[-1]
    when = year_words(year, sit.dt)
    return f"In {when}: {note}" if note else f"In {when} the scenario changed a policy"


def caption(sit: Situation) -> str:
    """The caption: two to four sentences in plain language (see the module docs)."""
    first = pair_sentence(sit)
    moving = relocation_clause(sit)
    if moving and " ran a deficit" not in first:
        parts = [f"{first} while {moving}."]
    else:
        parts = [f"{first}."] + ([f"{_cap(moving)}."] if moving else [])
    parts.append(f"{phase_sentence(sit)}.")
    ev = event_sentence(sit)
    if ev:
        parts.append(ev if ev.endswith(".") else f"{ev}.")
    return " ".join(parts)
