"""Synthetic worlds of any size, for benchmarks and tests.

``synthetic_document(n, s, seed)`` builds a valid scenario document: countries on a circle (trade
costs grow with distance), lognormal labor forces, productivity levels spread over a 1:50 range
with mild sector-specific comparative advantage, labor shares near what demand buys at the start,
managed and pegged regimes, reserves, a few bilateral tariffs and export controls. The same
arguments always give the same document.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from sim.errors import TradesimError

PAIR_ARRAYS = 3
"""(S, N, N) float64 arrays any world holds at once: tariffs, openness and the cached trade
factor; the tick's temporaries come on top, so :func:`memory_floor` is a lower bound."""


def memory_floor(n_countries: int, n_sectors: int) -> int:
    """Bytes a world of this size needs at least (its (S, N, N) arrays), before any tick."""
    return PAIR_ARRAYS * 8 * n_sectors * n_countries * n_countries


def physical_memory() -> int | None:
    """Physical memory of this machine in bytes (None where the OS does not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_size(n_countries: int, n_sectors: int) -> None:
    """Refuse at once a world whose pair arrays alone exceed this machine's memory."""
    need, have = memory_floor(n_countries, n_sectors), physical_memory()
    if have is not None and need > have:
        raise TradesimError(
            f"a world of {n_countries} countries and {n_sectors} traded sectors needs at least "
            f"{need / 1e9:,.0f} GB for its (sector, country, country) arrays; this machine has {have / 1e9:,.0f} GB"
        )


def synthetic_document(n_countries: int, n_sectors: int, seed: int = 0, *, ticks: int = 100) -> dict[str, Any]:
    """A scenario document with ``n_countries`` countries and ``n_sectors`` traded sectors.

    Args:
        n_countries: number of countries (>= 1).
        n_sectors: number of traded sectors (>= 1); services come on top.
        seed: seed of the generator (the document is a pure function of the arguments).
        ticks: simulation length.
    """
    if n_countries < 1 or n_sectors < 1:
        raise ValueError("a synthetic world needs at least one country and one traded sector")
    check_size(n_countries, n_sectors)
    rng = np.random.default_rng(np.random.SeedSequence([seed, n_countries, n_sectors]))
    sectors = [f"s{k}" for k in range(n_sectors)]
    names = [f"C{i:04d}" for i in range(n_countries)]
    angle = rng.uniform(0, 2 * np.pi, n_countries)
    level = np.exp(rng.uniform(np.log(0.02), 0.0, n_countries))
    level[0] = 1.0  # the issuer is at the frontier
    labor = np.exp(rng.normal(np.log(30.0), 1.2, n_countries))
    labor[0] = max(labor.max(), 0.15 * labor.sum())  # the reserve issuer is the largest economy
    countries = []
    for i, name in enumerate(names):
        tilt = np.exp(rng.normal(0.0, 0.1, n_sectors))
        prod = {s: float(level[i] * tilt[k]) for k, s in enumerate(sectors)}
        prod["services"] = float(level[i])
        traded = rng.dirichlet(np.full(n_sectors, 8.0)) * 0.37
        shares = {s: float(traded[k]) for k, s in enumerate(sectors)}
        shares["services"] = float(1.0 - traded.sum())
        regime = "float" if i == 0 else str(rng.choice(["float", "float", "managed", "peg"]))
        c: dict[str, Any] = {
            "name": name,
            "labor_force": float(labor[i]),
            "labor_growth": float(rng.uniform(-0.005, 0.015)),
            "productivity": prod,
            "labor_shares": shares,
            "propensity_to_consume": float(c_rate := rng.uniform(0.75, 0.80)),
            "investment_rate": float(1.0 - c_rate + rng.uniform(-0.01, 0.01)),
            "exchange_rate_regime": regime,
            "reserves_months": float(rng.uniform(2.0 if regime == "float" else 4.0, 8.0)) if i else 0.0,
            "catchup_speed": float(rng.uniform(0.5, 2.0)),
        }
        countries.append(c)
    # a few tariffs and export controls (about 2% of countries each), never on the issuer
    k = max(1, n_countries // 50) if n_countries > 2 else 0
    for _ in range(k):
        d, o = rng.choice(np.arange(1, n_countries), 2, replace=False) if n_countries > 2 else (0, 0)
        countries[d].setdefault("tariffs", {})[names[o]] = {
            sectors[int(rng.integers(n_sectors))]: float(rng.uniform(0.05, 0.3))
        }
        x, y = rng.choice(np.arange(1, n_countries), 2, replace=False) if n_countries > 2 else (0, 0)
        countries[x].setdefault("export_controls", {})[sectors[int(rng.integers(n_sectors))]] = {
            "destinations": [names[y]]
        }
    # trade costs by distance on the circle, written for the nearest partners only
    base = 0.9
    pairs = []
    if n_countries > 1:
        near = min(3, n_countries - 1)
        for i in range(n_countries):
            gap = np.abs((angle - angle[i] + np.pi) % (2 * np.pi) - np.pi)
            for j in np.argsort(gap)[1 : near + 1]:
                if i < j:
                    pairs.append(
                        {"origin": names[i], "destination": names[int(j)], "cost": float(base * (0.4 + gap[j] / np.pi))}
                    )
    return {
        "simulation": {
            "name": f"synthetic_{n_countries}x{n_sectors}",
            "ticks": ticks,
            "seed": seed,
            "bilateral_every": 0 if n_countries > 30 else 1,
        },
        "world": {"sectors": sectors, "elasticity": 4.0, "trade_cost": base, "trade_costs": pairs},
        "country": countries,
    }
