"""The world market: Armington/CES split of each buyer's sector spending across origins.

Pure array functions. Shapes: N countries, S traded sectors, and a leading member axis R on
everything that moves (the factors are shared by the members that have the same trade policy).
Cached factors are laid out ``[s, origin, destination]`` so that each tick needs only batched
(S, N) x (S, N, N) contractions, and no N x N x S flow tensor is built except on ticks that log it.

For importer d, traded sector s and origin o (home included), the share of d's spending that
goes to o is

    share[o, d, s] = w[o, s] (p[o, s] tau[o, d] (1 + t[o, d, s]))**(1 - sigma_s) * open[o, d, s]
                     / Phi[d, s]

with w the origin's share of world capacity in the sector (more capacity, more varieties),
p the producer price (USD), tau the iceberg trade cost, t the tariff, open 0 for cells blocked by
export controls, and Phi the sum over origins. The purchaser price index is
``P[d, s] = pbar_s * (Phi[d, s] / W[d, s])**(1/(1 - sigma_s))`` with W the capacity share of
the origins open to d (so that a blocked origin raises the index only through the prices of the
remaining ones, not through a loss of varieties that explodes as sigma -> 1).

At sigma = 1 (within :data:`SIGMA_EPS`) the sector is Cobb-Douglas, computed in closed form:
shares ``w open / sum_o w open`` and the price index the geometric mean of the delivered prices
``p tau (1 + t)`` weighted by those shares (the limit of the CES index; its formula would raise
round-off in Phi / W to the power 1 / (1 - sigma)).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SIGMA_EPS = 1e-6
"""An elasticity within this of 1 is taken as exactly 1: the sector is Cobb-Douglas, in closed
form (taking sigma = 1 changes shares by less than 1e-6 relative)."""


@dataclass
class TradeFactors:
    """Cached per-cell factors; rebuilt only when trade costs, tariffs or controls change.

    Attributes:
        F: (S, N, N) ``(tau (1 + t))**(1 - sigma) * open`` (dimensionless).
        G: (S, N, N) ``F / (1 + t)`` when tariffs are on many cells; None when there are none
            (then G is F) or few (then G is F except on ``tariff_cells``).
        sigma: (S,) elasticities actually used (those within SIGMA_EPS of 1 are exactly 1).
        blocked: (k, 3) int array of cells blocked in full or in part (s, o, d).
        blocked_share: (k,) the share of each such cell that is blocked (1 for a ban).
        tariff_cells: (s, o, d) index arrays of the cells with a tariff when they are few
            (at most :data:`SPARSE_TARIFFS` of all cells), else None.
        tariff_g: ``G`` on those cells.
        tariff_wedge: ``F - G`` on those cells (the tariff part of the purchaser-price factor).
        cobb_douglas: (k,) the sectors with sigma = 1.
        log_delivery: (k, N, N) ``open * log(tau (1 + t))`` of those sectors, the trade-cost and
            tariff part of their log delivered prices weighted by openness (None if k = 0).
    """

    F: np.ndarray
    G: np.ndarray | None
    sigma: np.ndarray
    blocked: np.ndarray
    blocked_share: np.ndarray
    tariff_cells: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    tariff_g: np.ndarray | None = None
    tariff_wedge: np.ndarray | None = None
    cobb_douglas: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    log_delivery: np.ndarray | None = None
    one_minus: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = self.F.shape[2]
        self.one_minus = (1.0 - self.sigma)[..., None]
        self._blocked_so: tuple[np.ndarray, np.ndarray] | None = None
        if self.blocked.size:
            s, o, d = self.blocked.T
            self._blocked_so = (s, o)
            self._blocked_sd_flat = s * n + d
        if self.tariff_cells is not None:
            s, o, d = self.tariff_cells
            self._tariff_so_flat = s * n + o
            self._tariff_sd_flat = s * n + d

    @property
    def has_tariffs(self) -> bool:
        """Whether any tariff is positive."""
        return self.G is not None or self.tariff_cells is not None


SPARSE_TARIFFS = 1.0 / 16.0
"""When tariffs are on at most this share of cells, G is not stored: the tariffs enter the
market as corrections on their cells only (no second (S, N, N) array, no extra pass); above it,
G is stored and the producer-price side of the market is a third pass over it."""


def effective_sigma(sigma: np.ndarray) -> np.ndarray:
    """Elasticities as used: within SIGMA_EPS of 1, exactly 1 (Cobb-Douglas)."""
    sigma = np.asarray(sigma, dtype=float)
    return np.where(np.abs(sigma - 1.0) < SIGMA_EPS, 1.0, sigma)


def build_factors(tau: np.ndarray, tariff: np.ndarray, open_: np.ndarray, sigma: np.ndarray) -> TradeFactors:
    """Cache the trade factors.

    Args:
        tau: (N, N) iceberg factor tau[o, d] >= 1, with tau[d, d] = 1.
        tariff: (S, N, N) ad valorem tariff t[s, o, d] levied by d on o, zero on the diagonal.
        open_: (S, N, N) openness of each cell: 1 open, 0 banned, in between a quota letting
            through that share of what buyers would otherwise buy; 1 on the diagonal.
        sigma: (S,) elasticities of substitution.
    """
    sig = effective_sigma(sigma)
    one_minus = 1.0 - sig
    n_s, n = tariff.shape[0], tau.shape[0]
    open_ = np.asarray(open_, dtype=float)
    log_tau = np.log(tau)
    cells = np.nonzero(tariff > 0)
    n_cells = cells[0].size
    sparse = n_cells <= SPARSE_TARIFFS * tariff.size
    G = tariff_cells = g_cells = wedge = None
    # at N = 1000, S = 20 each (S, N, N) array is 160 MB: built in place, and with few tariffs
    # from tau alone (one power per distinct elasticity), the tariff cells patched after
    if n_cells and not sparse:
        F = np.log1p(tariff)
        F += log_tau[None, :, :]
        F *= one_minus[:, None, None]
        np.exp(F, out=F)
        F *= open_
        G = F / (1.0 + tariff)
    else:
        F = np.empty((n_s, n, n))
        power: dict[float, np.ndarray] = {}
        for k in range(n_s):
            om = one_minus[k]
            if om not in power:
                power[om] = np.exp(om * log_tau)
            np.multiply(power[om], open_[k], out=F[k])
        if n_cells:
            s, o, d = tariff_cells = tuple(c.astype(np.intp) for c in cells)
            t = tariff[tariff_cells]
            f_cells = np.exp(one_minus[s] * (log_tau[o, d] + np.log1p(t))) * open_[tariff_cells]
            F[tariff_cells] = f_cells
            g_cells = f_cells / (1.0 + t)
            wedge = f_cells - g_cells
    cobb_douglas = np.flatnonzero(one_minus == 0.0)
    log_delivery = None
    if cobb_douglas.size:
        log_delivery = open_[cobb_douglas] * (np.log1p(tariff[cobb_douglas]) + log_tau[None, :, :])
    blocked = np.argwhere(open_ < 1.0).astype(np.int64)
    share = 1.0 - open_[tuple(blocked.T)] if blocked.size else np.zeros(0)
    return TradeFactors(
        F=np.ascontiguousarray(F),
        G=None if G is None else np.ascontiguousarray(G),
        sigma=sig,
        blocked=blocked,
        blocked_share=share,
        tariff_cells=tariff_cells,
        tariff_g=g_cells,
        tariff_wedge=wedge,
        cobb_douglas=cobb_douglas,
        log_delivery=log_delivery,
    )


@dataclass
class PriceIndex:
    """First pass of the market: the CES denominators and purchaser price indices.

    Attributes:
        v: (S, N) origin weights ``w (p/pbar)**(1-sigma)`` scaled by exp(-shift) per sector.
        phi: (S, N) ``sum_o v[s, o] F[s, o, d]`` (same scaling).
        price: (S, N) purchaser price index P[s, d], USD per real unit.
        (Each with a leading member axis R in the model.)
        reachable: whether every destination has an open origin in every sector (phi > 0).
    """

    v: np.ndarray
    phi: np.ndarray
    price: np.ndarray
    reachable: bool = True


def price_index(f: TradeFactors, weight: np.ndarray, price: np.ndarray) -> PriceIndex:
    """CES denominators and purchaser price indices (pass 1 over the factors).

    Args:
        f: cached factors.
        weight: (R, S, N) each origin's share of world capacity in the sector (sums to 1 over N).
        price: (R, S, N) producer prices, USD per real unit.
    """
    one_minus = f.one_minus
    pbar = (weight * price).sum(axis=-1, keepdims=True)
    if not pbar.all():
        pbar = np.where(pbar > 0, pbar, 1.0)  # a sector nobody produces: no origin, demand unmet
    with np.errstate(divide="ignore", invalid="ignore"):
        lv = one_minus * np.log(price / pbar)
        if not weight.all():
            lv = np.where(weight > 0, lv, -np.inf)
        shift = lv.max(axis=-1, keepdims=True)
        if not np.isfinite(shift).all():
            shift = np.where(np.isfinite(shift), shift, 0.0)
        v = weight * np.exp(lv - shift)
        # a stack of (1, N) x (N, N) products: the same arithmetic for a member whatever R is
        phi = np.matmul(v[..., None, :], f.F)[..., 0, :]
        if f._blocked_so is not None:
            s_, o_ = f._blocked_so
            lost = np.bincount(
                _member_flat(f._blocked_sd_flat, phi), (weight[..., s_, o_] * f.blocked_share).ravel(), phi.size
            )
            avail = 1.0 - lost.reshape(phi.shape)
            if (avail > 0).all():
                ratio = phi / avail
            else:
                ratio = np.where(avail > 0, phi / np.where(avail > 0, avail, 1.0), 0.0)
        else:
            ratio = phi
        log_p = np.log(pbar) + (np.log(ratio) + shift) / one_minus
        if f.cobb_douglas.size:
            log_p[..., f.cobb_douglas, :] = _geometric_mean_log(f, v, phi, price)
    reachable = bool((phi > 0).all())
    p_idx = np.exp(log_p) if reachable else np.where(phi > 0, np.exp(log_p), np.inf)
    return PriceIndex(v=v, phi=phi, price=p_idx, reachable=reachable)


def _geometric_mean_log(f: TradeFactors, v: np.ndarray, phi: np.ndarray, price: np.ndarray) -> np.ndarray:
    """(..., k, N) log price index of the Cobb-Douglas sectors: the mean of log(p[o] tau[o, d] (1 +
    t[o, d])) over origins weighted by the shares v[o] F[o, d] / phi[d] (F = open at sigma = 1).
    """
    k = f.cobb_douglas
    vk = v[..., k, :]
    v_log_p = np.where(vk > 0, vk * np.log(price[..., k, :]), 0.0)
    total = np.matmul(v_log_p[..., None, :], f.F[k])[..., 0, :] + np.matmul(vk[..., None, :], f.log_delivery)[..., 0, :]
    return total / phi[..., k, :]


@dataclass
class TradeAggregates:
    """Second (and third) pass: what each country sells and buys, at producer prices, USD/yr.

    Attributes:
        revenue: (S, N) sales of origin o to every destination, home included.
        home: (S, N) sales of each country to itself.
        imports: (S, N) purchases of d from other origins at producer prices (tariffs excluded).
        tariff: (S, N) tariff revenue collected by d.
        spent: (S, N) spending actually placed (spending where no origin is available is unmet).
    """

    revenue: np.ndarray
    home: np.ndarray
    imports: np.ndarray
    tariff: np.ndarray
    spent: np.ndarray

    @property
    def exports(self) -> np.ndarray:
        """(S, N) sales abroad by origin, from the producers' side."""
        return self.revenue - self.home


def trade_flows(f: TradeFactors, pi: PriceIndex, spend: np.ndarray) -> TradeAggregates:
    """Split spending across origins and aggregate without building the flow tensor.

    One pass over the factors (F, or G with tariffs on many cells: then a second pass over G
    for the producer-price value of purchases); tariffs on few cells are corrections on those
    cells only.

    Args:
        f: cached factors.
        pi: the first pass (same prices and weights).
        spend: (S, N) spending of each destination on each traded sector at purchaser prices
            (final plus intermediate), USD/yr.
    """
    if pi.reachable:
        y = spend / pi.phi
        spent = spend
    else:
        ok = pi.phi > 0
        y = np.where(ok, spend / np.where(ok, pi.phi, 1.0), 0.0)
        spent = np.where(ok, spend, 0.0)
    G = f.F if f.G is None else f.G
    sold = np.matmul(G, y[..., None])[..., 0]  # sum_d G[s, o, d] y[s, d]
    home = pi.v * y  # F[s, d, d] = G[s, d, d] = 1
    if f.tariff_cells is not None:
        s, o, d = f.tariff_cells
        size, shape = pi.phi.size, pi.phi.shape
        so, sd = _member_flat(f._tariff_so_flat, y), _member_flat(f._tariff_sd_flat, y)
        sold = sold - np.bincount(so, (f.tariff_wedge * y[..., s, d]).ravel(), size).reshape(shape)
        psi = pi.phi - np.bincount(sd, (pi.v[..., s, o] * f.tariff_wedge).ravel(), size).reshape(shape)
    elif f.G is None:
        psi = pi.phi
    else:
        psi = np.matmul(pi.v[..., None, :], f.G)[..., 0, :]
    revenue = pi.v * sold
    at_producer = y * psi
    imports = at_producer - home
    tariff = spent - at_producer
    return TradeAggregates(revenue=revenue, home=home, imports=imports, tariff=tariff, spent=spent)


def flow_tensor(f: TradeFactors, pi: PriceIndex, spend: np.ndarray) -> np.ndarray:
    """(R, S, N, N) flows [m, s, o, d] at producer prices (tariffs excluded), USD/yr, home included.

    The diagonal is home sales; off the diagonal, o's exports to d and d's imports from o.
    Built only on ticks that log bilateral flows.
    """
    if pi.reachable:
        y = spend / pi.phi
    else:
        ok = pi.phi > 0
        y = np.where(ok, spend / np.where(ok, pi.phi, 1.0), 0.0)
    G = f.F if f.G is None else f.G
    flows = pi.v[..., :, None] * G * y[..., None, :]
    if f.tariff_cells is not None:
        s, o, d = f.tariff_cells
        flows[..., s, o, d] = pi.v[..., s, o] * f.tariff_g * y[..., s, d]
    return flows


def _member_flat(flat: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Flat (S, N) cell indices repeated for each member of a (..., S, N) array, member-major, so
    that a bincount adds each member's cells in the same order as for a member alone.
    """
    step = like.shape[-2] * like.shape[-1]
    members = like.size // step
    if members == 1:
        return flat
    return (np.arange(members)[:, None] * step + flat[None, :]).ravel()
