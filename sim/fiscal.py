"""Governments: spending, taxes, a fiscal rule, public debt and the households' partial offset.

Equations (i country; USD bn/yr; Y_i full-capacity income, r_i the country's borrowing rate at
the start of the tick, D_i public debt, USD bn):

    G_i   = g_i Y_i                                  (purchases, spent with the budget shares)
    T_i   = (tau_i + a_i) Y_i                        (tau_i the scenario's taxes, a_i the rule's)
    iD_i  = r_i D_i                                  (interest, paid to domestic households)
    b_i   = T_i - G_i - iD_i                         (fiscal balance; deficit = -b_i)
    dC_i  = -omega G_i - (1 - omega) (T_i - iD_i)    (households' consumption response)
    dE_i  = G_i + dC_i = (1 - omega) (G_i + iD_i - T_i)
    D'    = D - dt b_i
    a'    = a + (1 - exp(-speed dt)) (target_i - b_i / Y_i)      (only with a balance target)

Households pay the taxes net of the interest they receive out of what they would have consumed,
except for the share omega of the deficit they save against future taxes (Barro 1974: omega = 1
is Ricardian equivalence). Private saving therefore rises by exactly omega of the deficit, which
is the "private saving offset" the empirical literature estimates, and planned absorption rises
by (1 - omega) of it at a given interest rate. Public debt is held by the country's own
households, so its interest is a transfer inside the country: it enters the fiscal balance and
household income, never the current account.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class FiscalFlows:
    """One tick's government flows, all (R, N), USD bn/yr."""

    spending: np.ndarray  # G
    taxes: np.ndarray  # T
    interest: np.ndarray  # interest on public debt, paid to domestic households
    balance: np.ndarray  # T - G - interest
    consumption: np.ndarray  # change of household consumption: -omega G - (1 - omega)(T - interest)


def flows(
    spending_share: np.ndarray,
    tax_share: np.ndarray,
    tax_adjust: np.ndarray,
    debt: np.ndarray,
    rate: np.ndarray,
    income: np.ndarray,
    offset: np.ndarray | float,
) -> FiscalFlows:
    """Government flows of a tick (:class:`FiscalFlows`).

    Args:
        spending_share: (R, N) government purchases, share of full-capacity income.
        tax_share: (R, N) taxes before the rule, share of full-capacity income.
        tax_adjust: (R, N) the fiscal rule's change of the tax share so far.
        debt: (R, N) public debt, USD bn.
        rate: (R, N) the country's borrowing rate, per year.
        income: (R, N) full-capacity income, USD bn/yr.
        offset: omega, (R, 1) per member: share of the deficit households save.
    """
    g = spending_share * income
    t = (tax_share + tax_adjust) * income
    interest = rate * debt
    balance = t - g - interest
    cons = -offset * g - (1.0 - offset) * (t - interest)
    return FiscalFlows(g, t, interest, balance, cons)


def rule_step(
    tax_adjust: np.ndarray,
    balance: np.ndarray,
    income: np.ndarray,
    target: np.ndarray,
    speed: np.ndarray,
    dt: float,
) -> np.ndarray:
    """(R, N) the rule's tax adjustment next tick: it closes 1 - exp(-speed dt) of the gap
    between the balance target and this tick's balance (both shares of full-capacity income).
    ``target`` is NaN where a country has no rule: its adjustment stays where it is.
    """
    gap = target - balance / income
    return np.where(np.isnan(target), tax_adjust, tax_adjust + (1.0 - np.exp(-speed * dt)) * gap)


def debt_step(debt: np.ndarray, balance: np.ndarray, dt: float) -> np.ndarray:
    """(R, N) public debt next tick, USD bn: it grows by the deficit (it may turn negative: net
    public assets, which earn the country's rate the same way).
    """
    return debt - dt * balance
