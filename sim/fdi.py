"""Foreign direct investment: where relocating capacity may go, and who owns it afterwards.

Industrial transfer (:func:`sim.development.relocation`) moves capacity of the relocating sector
from an origin to cheaper destinations. This module holds the two things that make it a transfer
the destination can absorb and that earns its owners income:

- **Absorption** (:func:`absorption_room`): a destination takes at most the capacity that
  ``fdi_open_j x min(speed dt h_j, R_j (1 - u_j / u_max))`` of its labour force can run at its
  own productivity, where R_j is the labour share of its other sectors (the ones the new plants
  hire from) and u_j their value-weighted utilisation last tick. Drawing those workers away
  raises u_j to ``u_j R_j / (R_j - need)``, so a full room leaves it at exactly ``u_max``; a
  destination already above the bound, or closed (``fdi_open = 0``), takes nothing. The pace
  h_j (:func:`pace`) slows the hiring as the destination's economy or its own relocating
  industry runs above full use, to nothing at ``u_max``.
- **Ownership** (:func:`acquire`, :func:`income`): the investor (the origin country, the
  immediate-investor convention of FDI statistics) keeps the relocated capacity. It acquires a
  claim ``fdi[i, j]`` on the destination worth the moved capacity's capital, ``K/Y x moved x
  value added per unit`` at the destination's prices, paid for out of its private claims (which
  the destination receives): a swap of claims, so net foreign assets do not move. The claims
  pay ``fdi_return`` a year (investment income); when a destination's capacity in the sector
  leaves in turn, the same share of the claims on it is repaid (another swap).

Every stock and flow is in the unit of account (USD bn; flows per year), and every payment has a
payer and a payee, so FDI income and the net FDI position sum to zero over the world.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import development

if TYPE_CHECKING:
    from sim.model import TradeModel


def absorption_room(
    labor: np.ndarray,
    alloc: np.ndarray,
    sales: np.ndarray,
    full: np.ndarray,
    productivity: np.ndarray,
    sector: int,
    open_: np.ndarray,
    speed: np.ndarray,
    bound: np.ndarray,
    dt: float,
) -> np.ndarray:
    """(R, N) real capacity of the relocating sector each destination can take this tick.

    Args:
        labor: (R, N) labour forces, millions.
        alloc: (R, N, S1) labour shares by sector.
        sales: (R, N, S1) last traded sales by sector, USD bn/yr.
        full: (R, N, S1) value of capacity (price x capacity) by sector, USD bn/yr.
        productivity: (R, N, S1) real units per worker-year.
        sector: index of the relocating sector.
        open_: (R, N) openness to FDI, 0..1.
        speed: (R, 1) largest share of the labour force the inflow may employ per year.
        bound: (R, 1) utilisation of the sectors losing workers that the inflow may not exceed.
        dt: tick length, years.
    """
    rest = np.ones(alloc.shape[-1], dtype=bool)
    rest[sector] = False
    rest_share = np.sum(alloc * rest, axis=-1)
    value = np.sum(full * rest, axis=-1)
    u_rest = np.where(value > 0, np.sum(sales * rest, axis=-1) / np.where(value > 0, value, 1.0), np.inf)
    slack = rest_share * np.maximum(0.0, 1.0 - u_rest / bound)
    workers = labor * open_ * np.minimum(speed * dt * pace(sales, full, sector, bound), slack)
    return workers * productivity[..., sector]


def pace(sales: np.ndarray, full: np.ndarray, sector: int, bound: np.ndarray) -> np.ndarray:
    """(R, N) share of the labour-market speed a destination hires at, 0..1: the headroom of its
    economy times that of its own industry in the relocating sector.

    ``h_j = clip((u_max - U_j) / (u_max - 1), 0, 1) x clip((u_max - u_j,k) / (u_max - 1), 0, 1)``,
    with U_j the country's utilisation (all sectors, value-weighted) and u_j,k its relocating
    sector's: full speed while both are at or below full use, nothing once either reaches the
    bound (with ``u_max <= 1``: 1 below the bound, 0 from it). The plants' sales follow their
    capacity (CES weights, docs/model.md §7.4) and their technology cheapens the destination's
    whole sector, so plants added to a hot economy or a hot industry are sold out and heat it
    further; the pace falls before the bound is reached because that heat arrives a tick after
    the plants (§7.8).

    Args:
        sales: (R, N, S1) last traded sales by sector, USD bn/yr.
        full: (R, N, S1) value of capacity by sector, USD bn/yr.
        sector: index of the relocating sector.
        bound: (R, 1) utilisation at which the destination takes nothing, > 1 for any room.
    """
    total = full.sum(axis=-1)
    country = np.where(total > 0, sales.sum(axis=-1) / np.where(total > 0, total, 1.0), np.inf)
    own = full[..., sector]
    industry = np.where(own > 0, sales[..., sector] / np.where(own > 0, own, 1.0), 1.0)
    width = np.maximum(bound - 1.0, 1e-12)
    return np.clip((bound - country) / width, 0.0, 1.0) * np.clip((bound - industry) / width, 0.0, 1.0)


def acquire(
    fdi: np.ndarray,
    moved: np.ndarray,
    left: np.ndarray,
    value_added: np.ndarray,
    capital_output: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FDI claims after a tick of relocation, and the private claims that pay for them.

    Args:
        fdi: (R, N, N) claims of investor i (row) on destination j (column), USD bn.
        moved: (R, N, N) real capacity moved from i to j this tick.
        left: (R, N) share of each country's capacity in the sector that left it this tick (0..1).
        value_added: (R, N) value added per real unit of the sector at each destination, USD.
        capital_output: (R, 1) capital / annual value added of the relocated plants, years.

    Returns:
        new claims (R, N, N); change in private claims (R, N), USD bn, zero-sum; net acquisition
        of FDI assets (R, N) and net incurrence of FDI liabilities (R, N), USD bn this tick.
    """
    bought = capital_output[..., None] * moved * np.maximum(value_added, 0.0)[..., None, :]
    repaid = fdi * left[..., None, :]
    change = bought - repaid
    assets = change.sum(axis=-1)
    liabilities = change.sum(axis=-2)
    return fdi + change, liabilities - assets, assets, liabilities


def income(fdi: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """(R, N) net FDI income, USD bn/yr: ``rate`` (R, 1) per year on claims held minus claims owed."""
    return rate * (fdi.sum(axis=-1) - fdi.sum(axis=-2))


def net_position(fdi: np.ndarray) -> np.ndarray:
    """(R, N) FDI assets minus FDI liabilities, USD bn."""
    return fdi.sum(axis=-1) - fdi.sum(axis=-2)


def relocate(model: TradeModel) -> None:
    """Industrial transfer of every member of ``model`` whose ``relocation_rate`` is positive
    (:func:`_relocate`); sets the tick's relocated capacity, FDI flows (USD bn per year, zero
    elsewhere) and the FDI positions (USD bn) of every member.
    """
    st, dev = model.state, model.kn.development
    st.relocated = np.zeros((model.R, model.n))
    st.fdi_outflow, st.fdi_inflow = np.zeros((model.R, model.n)), np.zeros((model.R, model.n))
    moves = dev.relocation_rate[:, 0] > 0
    if moves.any() and model.n > 1:
        _relocate(model, moves)
    st.fdi_assets, st.fdi_liabilities = st.fdi.sum(axis=-1), st.fdi.sum(axis=-2)


def _relocate(model: TradeModel, moves: np.ndarray) -> None:
    """Industrial transfer (:func:`sim.development.relocation`) into the room destinations have
    (:func:`absorption_room`), and the FDI claims the investors acquire for it (:func:`acquire`),
    for the members flagged in ``moves`` (R,).
    """
    st, dev, dt = model.state, model.kn.development, model.wp.dt
    k = model.sectors.index(dev.relocation_sector[0])
    prod = st.productivity()
    ulc = st.wage * st.e / prod[..., k]
    # the value of capacity at the labour shares just reallocated (§7.11), not at those that sold
    # last tick: the room counts the workers reallocation already moved out of the other sectors
    sold = model._alloc_traded
    held = np.where(sold > 0, st.alloc / np.where(sold > 0, sold, 1.0), 0.0)
    room = absorption_room(
        st.labor,
        st.alloc,
        st.sales,
        st.price * st.capacity * held,
        prod,
        k,
        model.ca.fdi_open,
        dev.relocation_absorption,
        dev.relocation_utilisation,
        dt,
    )
    cap_k = st.alloc[..., k] * prod[..., k] * st.labor
    moved = development.relocation(
        ulc, cap_k, room, dev.relocation_threshold, dev.relocation_scale, dev.relocation_rate, dt
    )
    alloc, log_base, relocated = development.apply_relocation(
        moved,
        st.alloc,
        st.log_base,
        st.log_frontier,
        prod,
        st.labor,
        k,
        model.sectors.index(dev.upgrade_sector[0]),
        dev.relocation_upgrade,
        dev.relocation_technology,
    )
    out = moved.sum(axis=-1)
    left = np.where(cap_k > 0, np.minimum(out / np.where(cap_k > 0, cap_k, 1.0), 1.0), 0.0)
    claims, d_private, bought, sold = acquire(
        st.fdi, moved, left, st.price[..., k] - st.input_cost[..., k], dev.fdi_capital_output
    )
    on, on3 = moves[:, None], moves[:, None, None]
    st.alloc = np.where(on3, alloc, st.alloc)
    st.log_base = np.where(on3, log_base, st.log_base)
    st.relocated = np.where(on, relocated, 0.0)
    st.fdi = np.where(on3, claims, st.fdi)
    st.private = np.where(on, st.private + d_private, st.private)
    st.fdi_outflow = np.where(on, bought / dt, 0.0)
    st.fdi_inflow = np.where(on, sold / dt, 0.0)
