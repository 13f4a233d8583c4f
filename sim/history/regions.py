"""Regions of the 1980-2024 history, and a draft of their 1980 initial conditions from data.

The regions are those of issue 24's history scenario: the US, Japan, the four dragons, mainland
China, Europe (the euro-area members in the gapminder data, as in the facts tables) and the
rest of the world (every other gapminder country). :func:`history_1980_document` draws their
1980 sizes and incomes from the gapminder data (interpolated between 1977 and 1982); the
history's events wait for the scenario language (issue 21), and openness is not in the data
(trade costs stay at the defaults).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sim.history import gapminder
from sim.history.facts import EURO_AREA

DRAGONS = ("South Korea", "Taiwan", "Hong Kong, China", "Singapore")


def history_regions() -> dict[str, list[str]]:
    """Region -> gapminder countries; every country is in exactly one region."""
    named = {
        "US": ["United States"],
        "Japan": ["Japan"],
        "Dragons": list(DRAGONS),
        "China": ["China"],
        "Europe": list(EURO_AREA),
    }
    taken = {c for members in named.values() for c in members}
    named["Rest of world"] = [c for c in gapminder.countries() if c not in taken]
    return named


def history_1980_document(*, ticks: int = 45, seed: int = 1) -> dict[str, Any]:
    """A scenario document of the history's regions in 1980 (1980-2024 with the default 45 ticks),
    by the rules of :func:`sim.worlds.data_document`; no events.
    """
    from sim.worlds import data_document

    return data_document(
        1980, history_regions(), issuer="US", ticks=ticks, seed=seed, name="history_1980", interpolate=True
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.history.regions OUT.toml [TICKS]``: write the 1980 regions as a scenario file."""
    import tomli_w

    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 2:
        print("usage: python -m sim.history.regions OUT.toml [TICKS]", file=sys.stderr)
        return 2
    doc = history_1980_document(ticks=int(args[1]) if len(args) > 1 else 45)
    head = "# The history's regions in 1980 from the gapminder data (sim.history.regions); no events.\n"
    Path(args[0]).write_text(head + tomli_w.dumps(doc), encoding="utf-8")
    print(args[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
