"""Policy: official FX intervention and exchange-rate rules.

Pressure on a currency is the part of the current account that neither the private sector's
desired lending nor planned official purchases take up:

    pressure_i = CA_i - NL*_i          (NL* already includes planned FX purchases)

which, since CA - NL* = GDP - full_income, is the value of demand beyond the country's
capacity. Regimes:

- ``float``:   log e' = log e + k_e * pressure / full_income; no intervention beyond the plan.
- ``managed``: the central bank absorbs ``managed_share`` of the pressure with FX purchases or
  sales and the rate moves with the rest.
- ``peg``:     the central bank absorbs all of it; the rate stays put while reserves last
  (a peg whose reserves run out floats from then on).

Planned purchases (:func:`reserve_purchases`) come on top: a precautionary reserve target,
financed by national saving. A managed or pegged country may hold its currency a share
``undervaluation`` below its balanced-start rate (:func:`undervaluation_step`).

The first reserve issuer's currency is the unit of account: its own pressure moves every
floating currency against it (its rate stays 1), while managed and pegged currencies, held
against it, keep their rate.
``k_e = 0.5 (1 - exp(-adjustment dt)) / (eta_i * gross output / full income)`` with eta_i the
bound on the elasticity of utilisation to own prices keeps the loop gain of the rate below 0.5
for every sigma (see ``docs/model.md``, stability).
"""

from __future__ import annotations

import numpy as np

FLOAT, MANAGED, PEG = 0, 1, 2


def reserve_purchases(
    target_months: np.ndarray, imports: np.ndarray, held: np.ndarray, speed: np.ndarray, dt: float
) -> np.ndarray:
    """(N,) planned FX purchases toward a precautionary reserve target, USD bn/yr.

    While reserves are below ``target_months`` of imports the central bank closes
    ``1 - exp(-speed dt)`` of the gap per tick; above it, it plans none (the surplus the
    purchases financed fades once the target is reached). The purchases are financed by national
    saving (sterilised), so they raise the country's desired net lending.
    """
    gap = np.maximum(target_months / 12.0 * imports - held, 0.0)
    return gap * (1.0 - np.exp(-speed * dt)) / dt


def intervention(regime: np.ndarray, pressure: np.ndarray, fx_plan: np.ndarray, managed_share: float) -> np.ndarray:
    """(N,) official FX purchases (negative = sales), USD bn/yr, before the reserve limit."""
    absorbed = np.where(regime == PEG, 1.0, np.where(regime == MANAGED, managed_share, 0.0))
    return fx_plan + absorbed * pressure


def limit_sales(fx: np.ndarray, reserves_total: np.ndarray, reserve_interest: np.ndarray, dt: float) -> np.ndarray:
    """(N,) FX purchases clipped so reserves never go negative."""
    return np.maximum(fx, -(reserves_total / dt + reserve_interest))


def rate_gain(adjustment: float, eta: np.ndarray, gross_to_income: np.ndarray, dt: float) -> np.ndarray:
    """(N,) per-tick gain of a floater's log rate per unit of relative pressure."""
    return 0.5 * (1.0 - np.exp(-adjustment * dt)) / (eta * gross_to_income)


def update_rates(
    log_e: np.ndarray,
    regime: np.ndarray,
    rel_pressure: np.ndarray,
    gain: np.ndarray,
    managed_share: float,
    anchor: int,
) -> np.ndarray:
    """(N,) next tick's log exchange rates (USD per local unit).

    Args:
        log_e: (N,) current log rates.
        regime: (N,) FLOAT, MANAGED or PEG.
        rel_pressure: (N,) pressure / full income.
        gain: per-tick gain (see :func:`rate_gain`).
        managed_share: share of pressure a managed regime absorbs.
        anchor: index of the unit-of-account issuer.
    """
    moved = np.where(regime == FLOAT, 1.0, np.where(regime == MANAGED, 1.0 - managed_share, 0.0))
    d = gain * moved * rel_pressure
    dollar = d[anchor]
    d = d - np.where(regime == FLOAT, dollar, 0.0)
    d[anchor] = 0.0
    return log_e + d


def undervaluation_step(
    log_e: np.ndarray, regime: np.ndarray, applied: np.ndarray, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Move managed and pegged rates by a change in their defended undervaluation.

    Returns:
        the new log rates and the undervaluation now applied (floaters: none).
    """
    target = np.where(regime == FLOAT, 0.0, wanted)
    return log_e + np.log1p(-target) - np.log1p(-applied), target
