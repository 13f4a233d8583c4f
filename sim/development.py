"""Development: productivity catch-up, innovations and their adoption, noise, wages, labor.

Log productivity of country i in sector s is ``base + innov + noise``:

- ``base`` catches up toward the sector frontier F_s, which grows at ``g_F``:
  ``d base = [phi_i g_F + kappa_i * A_i * gap**2 / (gap + h)] dt`` with ``gap = log F_s - base >= 0``;
  ``kappa_i`` the world speed times the country's multiplier, ``A_i = phi_i a_i`` its absorptive
  capacity: ``a_i = (I/Y*_i / I/Y*_world)**theta`` (Y* full-capacity income; investment raises
  it) scaled by ``phi_i = min(1, c_i / c*)``, the country's social capability ``c_i`` against the
  threshold ``c*`` (:func:`capability_factor`). Catch-up slows near the frontier. A capable
  country (``c_i >= c*``, ``phi_i = 1``) grows at least at ``g_F``; below the threshold the base
  absorbs only ``phi_i`` of the frontier's growth and catches up ``phi_i`` times as fast, so it
  falls behind until the gap reaches the level at which the pull makes up the shortfall.
- ``innov``: a large innovation (log size z) lands, with probability 1 - exp(-rate dt) per
  tick, on one country in one traded sector (or, with scope "traded", in all of them), chosen
  with weight (capacity share) x phi_i x exp(-gap/h) (large, capable and near the frontier).
  The sector's innovation frontier rises by z; the innovator embodies it at speed
  ``innovator_adoption``, others close ``1 - exp(-adoption A_i dt)`` of their gap per tick.
- ``noise``: transitory AR(1), annual persistence phi and annual shock sd.

With ``uneven = false`` every country's base grows at g_F and every innovation reaches every
country at once; the same random numbers are drawn either way.

Wages (local currency) grow with smoothed trend productivity growth and with demand pressure:
``d log w = g_w dt + k_w log u`` with ``k_w = per_tick(0.3 (1 - exp(-theta)), dt) / eta_i``
(:func:`sim.timing.per_tick`; eta_i: the bound
on the elasticity of utilisation to own prices, :func:`sim.production.effective_elasticity`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.timing import per_tick

if TYPE_CHECKING:
    from sim.model import TradeModel


def capability_factor(capability: np.ndarray, threshold: np.ndarray | float) -> np.ndarray:
    """(R, N) ``phi = min(1, c / c*)``: the share of the frontier's growth, and of the catch-up
    and adoption speeds, that a country with social capability ``c`` (0 to 1, the leaders' 1)
    can absorb, given the threshold ``c*`` (0 to 1, (R, 1) or a number). 1 at or above it.
    """
    return np.minimum(1.0, capability / threshold)


def catch_up(
    log_base: np.ndarray,
    log_frontier: np.ndarray,
    speed: np.ndarray,
    curvature: float,
    g_frontier: float,
    dt: float,
    uneven: bool | np.ndarray,
    factor: np.ndarray | float = 1.0,
) -> np.ndarray:
    """(R, N, S1) next tick's trend (catch-up) log productivity.

    Args:
        log_base: (R, N, S1) current log productivity from catch-up.
        log_frontier: (R, S1) the frontier this tick (before its growth).
        speed: (R, N) catch-up speed per year (world speed x multiplier x absorptive capacity,
            the capability factor included).
        curvature: h, per member (R, 1, 1) or a number.
        g_frontier: frontier growth per year, (R, 1, 1) or a number.
        dt: tick length, years.
        uneven: False gives every country the frontier growth; (R, 1, 1) bool or one value.
        factor: (R, N) capability factor phi (:func:`capability_factor`): the base absorbs
            ``phi g_F`` of the frontier's growth per year (1: all of it).
    """
    uneven = np.asarray(uneven)
    if not uneven.any():
        return log_base + g_frontier * dt
    gap = np.maximum(log_frontier[..., None, :] - log_base, 0.0)
    # a tick closes at most the whole gap: with speed x dt above about 1 the Euler step would
    # overshoot the frontier (by orders of magnitude at legal extremes); below it this is exact
    pull = np.minimum(speed[..., None] * gap * gap / (gap + curvature), gap / dt)
    out = log_base + dt * (np.asarray(factor)[..., None] * g_frontier + pull)
    return out if uneven.all() else np.where(uneven, out, log_base + g_frontier * dt)


def absorptive_capacity(investment: np.ndarray, income: np.ndarray, elasticity: float) -> np.ndarray:
    """(R, N) investment / full-capacity income relative to the world's, to the power theta
    (full-capacity income, not GDP, so that overheating does not count as less effort).
    """
    share = investment / np.maximum(income, 1e-300)
    world = investment.sum(axis=-1, keepdims=True) / np.maximum(income.sum(axis=-1, keepdims=True), 1e-300)
    return np.power(np.maximum(share, 1e-9) / np.maximum(world, 1e-9), elasticity)


def innovation(
    draws: np.ndarray,
    rate: np.ndarray,
    dt: float,
    weight_by_sector: np.ndarray,
    gap: np.ndarray,
    curvature: np.ndarray,
    n_traded: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whether an innovation lands this tick in each member, and on which (country, sector).

    Args:
        draws: (R, 3) three uniforms drawn every tick (arrival, sector, recipient).
        rate: (R,) expected innovations per year.
        dt: tick length, years.
        weight_by_sector: (R, N, S1) each country's share of world capacity in each sector
            (times its capability factor phi).
        gap: (R, N, S1) distance to the frontier (log).
        curvature: (R,) h; the recipient weight falls as exp(-gap / h).
        n_traded: number of traded sectors (innovations land in traded sectors).

    Returns:
        hit (R,) bool, and the country (R,) and sector (R,) of each member's innovation.
    """
    members = np.arange(draws.shape[0])
    arrive = draws[:, 0] < 1.0 - np.exp(-rate * dt)
    if not arrive.any():
        return arrive, members, members
    s = np.minimum((draws[:, 1] * n_traded).astype(np.int64), n_traded - 1)
    w = weight_by_sector[members, :, s] * np.exp(-gap[members, :, s] / curvature[:, None])
    total = w.sum(axis=-1)
    hit = arrive & (total > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cum = np.cumsum(w, axis=-1) / total[:, None]
    # np.searchsorted(cum, draw, side="right") on each member's (sorted) row
    i = np.sum(cum <= draws[:, 2:3], axis=-1)
    return hit, np.minimum(i, w.shape[-1] - 1), s


def adopt(
    log_innov: np.ndarray,
    innov_frontier: np.ndarray,
    adoption: np.ndarray,
    absorb: np.ndarray,
    dt: float,
    uneven: np.ndarray,
    innovator: np.ndarray,
    innovator_speed: np.ndarray,
) -> np.ndarray:
    """(R, N, S1) innovation productivity after a tick of adoption.

    Followers close ``1 - exp(-adoption a_i dt)`` of their gap to the innovation frontier; the
    country that made a sector's latest innovation (``innovator[s]``, -1 for none) closes
    ``1 - exp(-innovator_speed dt)`` of its own. With ``uneven = False`` everyone is at the
    frontier at once. Shapes: innov_frontier and innovator (R, S1); adoption, innovator_speed (R, 1);
    uneven (R, 1, 1) bool.
    """
    everyone = np.broadcast_to(innov_frontier[..., None, :], log_innov.shape)
    if not uneven.any():
        return everyone.copy()
    speed = np.repeat((adoption * absorb)[..., None], log_innov.shape[-1], axis=-1)
    rr, cols = np.nonzero(innovator >= 0)
    if rr.size:
        speed[rr, innovator[rr, cols], cols] = innovator_speed[rr, 0]
    close = 1.0 - np.exp(-speed * dt)
    out = log_innov + close * (innov_frontier[..., None, :] - log_innov)
    return out if uneven.all() else np.where(uneven, out, everyone)


def noise_coefficients(persistence: float, sd: float, dt: float) -> tuple[float, float, float]:
    """Per-tick coefficients of the transitory noise (numbers, for one member): the AR(1)
    coefficient and shock sd of its persistent part and the sd of its tick-to-tick jitter.

    ``persistence`` and ``sd`` describe the noise as productivity data see it, in annual
    averages: an AR(1) across years with that persistence and shock sd (stationary sd
    ``sd / sqrt(1 - persistence**2)``). An annual tick holds the year's average, so it is that
    AR(1) itself (no jitter). A tick of ``1/m`` year holds a persistent AR(1) with coefficient
    ``persistence ** dt`` plus independent jitter, sized so that the average of a year's ``m``
    ticks has the annual process's stationary variance and lag-one autocorrelation; its higher
    lags then decay at ``persistence`` too, so the annual averages of any tick are the same
    Gaussian AR(1) (docs/model.md §2). With ``persistence = 0`` the years are independent and
    each tick draws afresh with sd ``sd * sqrt(m)``.
    """
    m = round(1.0 / dt)
    if m < 1 or abs(m * dt - 1.0) > 1e-9:
        raise ValueError(f"tick length {dt} years is not a whole fraction of a year")
    if m == 1:
        return persistence, sd, 0.0
    var_year = sd**2 / (1.0 - persistence**2)  # stationary variance of the annual averages
    rho = persistence**dt
    within, run = year_average(rho, m)
    # the persistent part's stationary variance, from the lag-one covariance of year averages
    # (v rho run^2 / m^2, which must be persistence x var_year)
    v = rho ** (m - 1) * m**2 * var_year / run**2
    # positive for every persistence in [0, 1) (averaging an AR(1) over a year raises its lag-one
    # autocorrelation above the annual persistence, which the jitter brings back down); the
    # year's average of m jitters has variance jitter_var / m
    jitter_var = m * max(var_year - v * within, 0.0)
    return float(rho), float(np.sqrt(v * (1.0 - rho**2))), float(np.sqrt(jitter_var))


def year_average(rho: float, m: int) -> tuple[float, float]:
    """Of a stationary AR(1) with coefficient ``rho`` per tick of ``1/m`` year: the variance of
    a year's average of its ticks per unit of its stationary variance, and ``sum(rho**k, k < m)``
    (the lag-one covariance of consecutive years' averages is ``rho run**2 / m**2`` on that scale).
    """
    powers = rho ** np.arange(m)
    within = (m + 2.0 * np.sum((m - np.arange(1, m)) * powers[1:])) / m**2
    return within, powers.sum()


def noise_step(
    noise: np.ndarray, shocks: np.ndarray, persistence: float, sd: float, dt: float
) -> tuple[np.ndarray, np.ndarray]:
    """Next persistent noise of one member and the sd of this tick's jitter (annual persistence
    and sd as numbers); the noise a tick holds is the persistent part plus ``jitter x`` a fresh
    standard normal.
    """
    phi_t, scale, jitter = noise_coefficients(persistence, sd, dt)
    return noise_update(noise, shocks, phi_t, scale), jitter


def noise_update(noise: np.ndarray, shocks: np.ndarray, phi_t: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(R, N, S1) next persistent noise, with :func:`noise_coefficients` per member (R, 1, 1)."""
    return phi_t * noise + scale * shocks


def wage_gain(theta: float, eta: np.ndarray, dt: float) -> np.ndarray:
    """(N,) per-tick response of log wages to log utilisation: the annual loop gain
    ``0.3 (1 - exp(-theta))`` spread over the ticks of a year, divided by eta.
    """
    return per_tick(0.3 * -np.expm1(-theta), dt) / eta


def wage_step(theta: float, eta: np.ndarray, util: np.ndarray, dt: float) -> np.ndarray:
    """(R, N) the wage's response to utilisation in a tick, log units: ``k_w log u``
    (:func:`wage_gain`; trend growth comes on top).
    """
    return wage_gain(theta, eta, dt) * np.log(np.maximum(util, 1e-12))


def relocation(
    ulc: np.ndarray, cap: np.ndarray, room: np.ndarray, threshold: float, scale: float, rate: float, dt: float
) -> np.ndarray:
    """(R, N, N) real capacity of the relocating sector moving from origin i to destination j per
    tick (industrial transfer toward lower unit labor costs).

    The advantage of j for i is ``max(0, log(ulc_i / ulc_j) + log(1 - threshold))``: zero until
    j's unit labor cost is lower by more than ``threshold``. Origin i seeks to move out
    ``(1 - exp(-rate dt)) min(1, max_j adv_ij / scale)`` of its capacity, spread over cheaper
    destinations in proportion to advantage x room (destinations compete by cost for what they
    can absorb). A destination offered more than its room takes its room, each origin's offer
    scaled down alike; the rest stays home this tick.

    Args:
        ulc: (N,) unit labor cost in the sector, USD per real unit.
        cap: (N,) capacity in the sector, real units per year.
        room: (N,) real capacity each destination can absorb this tick
            (:func:`sim.fdi.absorption_room`), >= 0.
        threshold: cost gap that must be crossed.
        scale: log advantage beyond the threshold at which the rate is largest.
        rate: largest share of capacity moving per year.
        dt: tick length, years.
    """
    with np.errstate(divide="ignore"):
        adv = np.log(ulc[..., :, None] / ulc[..., None, :]) + np.log1p(-threshold)[..., None]
    adv = np.where(np.isfinite(adv), np.maximum(adv, 0.0), 0.0)
    diag = np.arange(adv.shape[-1])
    adv[..., diag, diag] = 0.0
    pull = adv * room[..., None, :]
    total = pull.sum(axis=-1, keepdims=True)
    share = np.where(total > 0, pull / np.where(total > 0, total, 1.0), 0.0)
    # strength from the best destination that can take anything: a closed or full destination
    # neither pulls nor pushes
    strength = np.minimum(1.0, np.where(room[..., None, :] > 0, adv, 0.0).max(axis=-1) / scale)
    want = ((1.0 - np.exp(-rate * dt)) * strength * cap)[..., None] * share
    offered = want.sum(axis=-2)
    fill = np.where(offered > room, room / np.where(offered > 0, offered, 1.0), 1.0)
    return want * fill[..., None, :]


def apply_relocation(
    moved: np.ndarray,
    alloc: np.ndarray,
    log_base: np.ndarray,
    log_frontier: np.ndarray,
    productivity: np.ndarray,
    labor: np.ndarray,
    sector: int,
    upgrade: int,
    upgrade_share: float,
    technology: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move capacity between countries: labor shares and technology after relocation.

    Origins lose the moved capacity; the labor it employed moves ``upgrade_share`` into the
    upgrade sector and the rest into their other sectors in proportion. Destinations' productivity
    in the sector moves toward the (inflow-weighted) origin productivity by ``technology`` x the
    moved share of their new capacity (never past the frontier); they employ the labor the moved
    capacity needs at their new productivity, drawn from their other sectors in proportion.

    Returns:
        new labor shares (R, N, S1), new trend log productivity (R, N, S1), net capacity moved
        in (R, N).
    """
    out = moved.sum(axis=-1)
    inflow = moved.sum(axis=-2)
    a_s = productivity[..., sector]
    cap_s = a_s * alloc[..., sector] * labor
    alloc = alloc.copy()
    # origins: capacity out, labor freed
    freed = np.minimum(out / (a_s * labor), alloc[..., sector])
    alloc[..., sector] -= freed
    others = np.ones(alloc.shape[-1], bool)
    others[sector] = False
    rest = alloc * others
    rest_share = np.where(rest.sum(axis=-1, keepdims=True) > 0, rest / rest.sum(axis=-1, keepdims=True), 0.0)
    alloc += (1.0 - upgrade_share)[..., None] * freed[..., None] * rest_share
    alloc[..., upgrade] += upgrade_share * freed
    # destinations: technology carried in, labor drawn in
    with np.errstate(divide="ignore", invalid="ignore"):
        src = np.where(
            inflow > 0, (moved * np.log(a_s)[..., :, None]).sum(axis=-2) / np.where(inflow > 0, inflow, 1.0), -np.inf
        )
    lead = np.maximum(src - np.log(a_s), 0.0)
    weight = np.where(inflow > 0, inflow / (cap_s + inflow), 0.0)
    log_base = log_base.copy()
    log_base[..., sector] = np.minimum(
        log_base[..., sector] + technology * weight * lead, log_frontier[..., sector : sector + 1]
    )
    a_new = a_s * np.exp(technology * weight * lead)
    need = np.minimum(inflow / (a_new * labor), 1.0 - alloc[..., sector] - 1e-9)
    need = np.maximum(need, 0.0)
    rest = alloc * others
    rest_share = np.where(rest.sum(axis=-1, keepdims=True) > 0, rest / rest.sum(axis=-1, keepdims=True), 0.0)
    alloc -= need[..., None] * rest_share
    alloc[..., sector] += need
    alloc = np.maximum(alloc, 0.0)
    alloc /= alloc.sum(axis=-1, keepdims=True)
    return alloc, log_base, inflow - out


def develop(model: TradeModel) -> None:
    """One tick of development for every member of ``model``: catch-up of log productivity
    toward the frontier at the pace absorptive capacity allows (§7.7), innovation at the frontier
    and its adoption, transitory noise, smoothed trend growth (per year), wages (local currency,
    following trend productivity and utilisation) and labor force growth. Draws the ``noise``
    and ``innovation`` streams every tick; notes the last innovation in
    ``model.last_innovation``.
    """
    st, wp, kn = model.state, model.wp, model.kn
    dev = kn.development
    dt, s = wp.dt, model.s
    shocks = np.stack([g["noise"].standard_normal((model.n, s + 1)) for g in model.streams])
    if dt < 1.0:  # sub-annual ticks add jitter (members share the tick)
        st.jitter = wp.noise_jitter * np.stack([g["noise"].standard_normal((model.n, s + 1)) for g in model.streams])
    draws = np.stack([g["innovation"].random(3) for g in model.streams])
    trend_before = st.log_base + st.log_innov
    # absorptive capacity: investment effort scaled by social capability (section 7.7)
    phi = capability_factor(model.ca.capability, dev.capability_threshold)
    absorb = phi * absorptive_capacity(st.investment, st.full_income, dev.absorptive_elasticity)
    speed = dev.catchup_speed * model.ca.catchup * absorb
    curvature, uneven = dev.catchup_curvature[..., None], dev.uneven[..., None]
    st.log_base = catch_up(
        st.log_base, st.log_frontier, speed, curvature, dev.frontier_growth[..., None], dt, uneven, phi
    )
    st.log_frontier = st.log_frontier + dev.frontier_growth * dt
    total = st.capacity.sum(axis=-2, keepdims=True)
    weight = st.capacity / np.where(total > 0, total, 1.0) * phi[..., None]  # the incapable do not innovate
    gap = (st.innov_frontier[..., None, :] - st.log_innov) + (st.log_frontier[..., None, :] - st.log_base)
    hit, who, where = innovation(draws, dev.innovation_rate[:, 0], dt, weight, gap, dev.catchup_curvature[:, 0], s)
    for r in np.flatnonzero(hit):
        i, k = int(who[r]), int(where[r])
        ks = np.arange(s) if dev.innovation_scope[r] == "traded" else np.array([k])
        st.innov_frontier[r, ks] = (
            np.maximum(st.innov_frontier[r, ks], st.log_innov[r, i, ks]) + dev.innovation_size[r, 0]
        )
        st.innovator[r, ks] = i
        model.last_innovation[r] = (model.tick, model.names[i], model.sectors[k] if ks.size == 1 else "traded")
    st.log_innov = adopt(
        st.log_innov,
        st.innov_frontier,
        dev.adoption_speed,
        absorb,
        dt,
        uneven,
        st.innovator,
        dev.innovator_adoption,
    )
    st.noise = noise_update(st.noise, shocks, wp.noise_phi, wp.noise_scale)
    g_now = np.sum(st.alloc * ((st.log_base + st.log_innov) - trend_before), axis=-1) / dt
    st.growth = st.growth + (1.0 - np.exp(-kn.prices.wage_lag * dt)) * (g_now - st.growth)
    st.wage = st.wage * np.exp(st.growth * dt + wage_step(wp.theta, model._eta, st.util, dt))
    st.labor = st.labor * np.exp(model.ca.labor_growth * dt)
