"""Facts tables: observed figures to score a run against (``data/facts_*.csv``).

One schema (``docs/validation.md``), one row per fact:

==========  ==============================================================================
column      meaning
==========  ==============================================================================
economy     an economy of :data:`ECONOMIES`, a gapminder country, or ``World``
partner     the partner of a bilateral quantity (empty otherwise)
year        a year (``2007``) or a period (``1984-1987``: the model value is the mean over it)
quantity    one of :data:`QUANTITIES`
value       the figure, in the quantity's unit
low, high   the band a model value must fall in to pass (low <= value <= high)
source      where the figure comes from
quality     ``exact`` (sure of it) or ``recalled`` (from memory, with a wide band)
note        free text (may be empty)
==========  ==============================================================================

A table with a missing column, an unknown economy or quantity, a band that does not contain its
value, or any other bad cell is refused with a :class:`~sim.errors.ScenarioError` naming the
file, the line and the reason of every problem.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.errors import ScenarioError

COLUMNS = ("economy", "partner", "year", "quantity", "value", "low", "high", "source", "quality", "note")
QUALITIES = ("exact", "recalled")


@dataclass(frozen=True)
class Quantity:
    """A quantity a fact can be about."""

    unit: str
    meaning: str
    bilateral: bool = False
    world: bool = False


QUANTITIES: dict[str, Quantity] = {
    "ca_gdp": Quantity("% of GDP", "current account / GDP (market exchange rates)"),
    "exports_gdp": Quantity("% of GDP", "exports / GDP"),
    "imports_gdp": Quantity("% of GDP", "imports / GDP"),
    "trade_balance_gdp": Quantity("% of GDP", "(exports - imports) / GDP"),
    "reserves_gdp": Quantity("% of GDP", "official reserves / GDP"),
    "gdp_share": Quantity("% of world GDP", "GDP / world GDP (market exchange rates)"),
    "bilateral_balance": Quantity(
        "% of world GDP", "goods balance of the economy with its partner / world GDP", bilateral=True
    ),
    "global_imbalance": Quantity("% of world GDP", "sum of |current account| / world GDP", world=True),
    "exports_usd_bn": Quantity("USD bn", "exports (a level: only where the scenario is sized for that year)"),
    "imports_usd_bn": Quantity("USD bn", "imports (a level: only where the scenario is sized for that year)"),
    "trade_balance_usd_bn": Quantity("USD bn", "exports - imports (a level: only where the scenario is sized)"),
}

EURO_AREA = (
    "Austria", "Belgium", "Finland", "France", "Germany", "Greece", "Ireland", "Italy",
    "Netherlands", "Portugal", "Slovak Republic", "Slovenia", "Spain",
)  # fmt: skip
"""Euro-area members in the gapminder data (Cyprus, Estonia, Latvia, Lithuania, Luxembourg,
Malta and Croatia are not in it)."""

ECONOMIES: dict[str, tuple[str, ...]] = {
    "US": ("United States",),
    "Japan": (),
    "China": (),
    "South Korea": (),
    "Taiwan": (),
    "Hong Kong": ("Hong Kong, China",),
    "Singapore": (),
    "Dragons": ("South Korea", "Taiwan", "Hong Kong", "Singapore"),
    "Germany": (),
    "Europe": EURO_AREA,
    "Rest of world": (),
    "World": (),
}
"""Economies a facts table may name, with the model countries each stands for when the model
has no country of that name: an alias (US -> United States) or the members of a group
(Dragons -> the four). Any gapminder country is an economy too."""

_YEAR = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


def known_economies() -> set[str]:
    """Every economy name a facts table may use."""
    from sim.history import gapminder

    return set(ECONOMIES) | set(gapminder.countries())


def load_facts(path: str | Path) -> pd.DataFrame:
    """Read and check a facts table.

    Returns:
        One row per fact with the columns of :data:`COLUMNS` (value, low, high as floats) and
        ``start``, ``end`` (the years the fact covers) and ``line`` (its line in the file).

    Raises:
        ScenarioError: naming the file, the line and the reason of every problem.
    """
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(file, [("", f"cannot read the facts table ({exc.strerror or exc})")]) from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    problems: list[tuple[str, str]] = []
    if missing:
        problems.append(("line 1", f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"))
    if extra:
        problems.append(("line 1", f"unknown column{'s' if len(extra) > 1 else ''} {', '.join(extra)}"))
    if problems:
        raise ScenarioError(file, problems)
    economies = known_economies()
    rows, seen = [], {}
    for k, raw in enumerate(reader):
        line = k + 2
        where = f"line {line}"
        if None in raw or any(v is None for v in raw.values()):
            problems.append((where, f"expected {len(COLUMNS)} cells"))
            continue
        r = {c: raw[c].strip() for c in COLUMNS}
        label = f"{where} ({r['economy']}, {r['year']}, {r['quantity']})"
        bad = _check_row(r, economies)
        if bad:
            problems.extend((label, reason) for reason in bad)
            continue
        m = _YEAR.match(r["year"])
        start, end = int(m.group(1)), int(m.group(2) or m.group(1))
        key = (r["economy"], r["partner"], r["year"], r["quantity"])
        if key in seen:
            problems.append((label, f"the same fact as line {seen[key]}"))
            continue
        seen[key] = line
        rows.append({**r, "value": float(r["value"]), "low": float(r["low"]), "high": float(r["high"]),
                     "start": start, "end": end, "line": line})  # fmt: skip
    if not rows and not problems:
        problems.append(("", "the table has no facts"))
    if problems:
        raise ScenarioError(file, problems)
    return pd.DataFrame(rows, columns=[*COLUMNS, "start", "end", "line"])


def _check_row(r: dict[str, str], economies: set[str]) -> list[str]:
    """The problems of one row (empty if none)."""
    bad = []
    q = QUANTITIES.get(r["quantity"])
    if q is None:
        bad.append(f"unknown quantity '{r['quantity']}' (known: {', '.join(QUANTITIES)})")
    if r["economy"] not in economies:
        bad.append(f"unknown economy '{r['economy']}' (see docs/validation.md for the names)")
    if q is not None and q.world and r["economy"] != "World":
        bad.append(f"{r['quantity']} is a world quantity: its economy must be 'World'")
    if q is not None and not q.world and r["economy"] == "World":
        bad.append(f"{r['quantity']} is not a world quantity: 'World' cannot be its economy")
    if q is not None and q.bilateral:
        if not r["partner"]:
            bad.append(f"{r['quantity']} needs a partner")
        elif r["partner"] not in economies or r["partner"] == "World":
            bad.append(f"unknown partner '{r['partner']}'")
        elif r["partner"] == r["economy"]:
            bad.append("an economy cannot be its own partner")
    elif r["partner"]:
        bad.append(f"{r['quantity']} takes no partner (got '{r['partner']}')")
    m = _YEAR.match(r["year"])
    if not m:
        bad.append(f"year '{r['year']}' is neither a year (2007) nor a period (1984-1987)")
    elif m.group(2) and int(m.group(2)) <= int(m.group(1)):
        bad.append(f"period '{r['year']}' does not run forward")
    nums = {}
    for c in ("value", "low", "high"):
        try:
            nums[c] = float(r[c])
        except ValueError:
            bad.append(f"{c} '{r[c]}' is not a number")
            continue
        if not math.isfinite(nums[c]):
            bad.append(f"{c} '{r[c]}' is not finite")
    if len(nums) == 3 and all(math.isfinite(v) for v in nums.values()):
        if not nums["low"] < nums["high"]:
            bad.append(f"band [{r['low']}, {r['high']}] is empty (low must be below high)")
        elif not nums["low"] <= nums["value"] <= nums["high"]:
            bad.append(f"band [{r['low']}, {r['high']}] does not contain the value {r['value']}")
    if not r["source"]:
        bad.append("source is empty")
    if r["quality"] not in QUALITIES:
        bad.append(f"quality '{r['quality']}' is neither 'exact' nor 'recalled'")
    return bad
