"""The model's state: NumPy arrays, one row per country, for each member of the ensemble.

Stocks are in billions of USD; flows are annual rates in billions of USD per year (a stock
changes by flow x tick length). Every array has a leading member axis R (a single run: R = 1),
left out of the shapes noted below: ``(N,)`` arrays are by country; ``(N, S1)`` by country and
sector with the traded sectors first and services last; ``(N, K)`` by country and reserve
issuer; world quantities are ``(R,)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np


@dataclass
class State:
    """Everything that changes during a run."""

    # --- development and production (state carried from tick to tick)
    labor: np.ndarray  # (N,) millions of workers
    log_base: np.ndarray  # (N, S1) log productivity from catch-up (trend)
    log_innov: np.ndarray  # (N, S1) log productivity from adopted innovations
    noise: np.ndarray  # (N, S1) persistent part of the transitory productivity noise (log)
    jitter: np.ndarray  # (N, S1) this tick's jitter of the noise (log; 0 with annual ticks, §2)
    log_shock: np.ndarray  # (N, S1) productivity level shocks scheduled by events (log); catch-up ignores them
    log_frontier: np.ndarray  # (S1,) log of the catch-up frontier
    innov_frontier: np.ndarray  # (S1,) cumulative log size of innovations
    innovator: np.ndarray  # (S1,) index of the country that made the sector's latest innovation (-1: none)
    log_gap_start: np.ndarray  # (N, S1) log productivity relative to the frontier at the start (Engel reference)
    alloc: np.ndarray  # (N, S1) labor shares by sector
    wage: np.ndarray  # (N,) local currency (thousands) per worker-year
    e: np.ndarray  # (N,) USD per unit of local currency
    log_m: np.ndarray  # (N,) log price factor from utilisation
    growth: np.ndarray  # (N,) smoothed trend productivity growth, per year
    purchaser_price: np.ndarray  # (N, S1) purchaser price index, USD per real unit
    output: np.ndarray  # (N, S1) real gross output last tick
    habit_income: np.ndarray  # (N,) habit-smoothed full-capacity income, USD bn/yr
    tariff_prev: np.ndarray  # (N,) last tick's tariff revenue, USD bn/yr
    util: np.ndarray  # (N,) last tick's utilisation (sales / capacity, value-weighted)
    util_sector: np.ndarray  # (N, S1) last tick's utilisation by sector

    # --- financial stocks (billions of USD)
    nfa: np.ndarray  # (N,) net foreign assets, accumulated from current accounts
    reserves: np.ndarray  # (N, K) official claims on each reserve issuer
    liabilities: np.ndarray  # (N,) official liabilities (nonzero for issuers only)
    private: np.ndarray  # (N,) net private claims on the pooled world market
    fdi: np.ndarray  # (N, N) FDI claims of investor i (row) on destination j (column), sim/fdi.py
    world_rate: np.ndarray  # (R,) world interest rate set last tick, per year
    premium: np.ndarray  # (N,) risk premium, per year
    stopped: np.ndarray  # (N,) bool: in a sudden stop
    stop_age: np.ndarray  # (N,) years the current sudden stop has bound (0 when none)
    household_debt: np.ndarray  # (N,) domestic household debt, USD bn
    extra_capacity: np.ndarray  # (N, S1) capacity built with state credit, share of base capacity
    firm_debt: np.ndarray  # (N, S1) state-bank debt of firms, USD bn
    loss_years: np.ndarray  # (N, S1) years in a row a sector's price has been below unit cost
    retaliation: np.ndarray  # (N, N) retaliatory tariff levied by d (column) on o (row)
    undervaluation: np.ndarray  # (N,) undervaluation currently applied to the rate
    public_debt: np.ndarray  # (N,) government debt held by domestic households, USD bn
    tax_adjust: np.ndarray  # (N,) the fiscal rule's change of the tax share so far

    # --- this tick's quantities (recomputed every tick)
    capacity: np.ndarray = field(default=None)  # (N, S1) real units per year
    price: np.ndarray = field(default=None)  # (N, S1) producer prices, USD per real unit
    input_cost: np.ndarray = field(default=None)  # (N, S1) USD of inputs per real unit
    full_income: np.ndarray = field(default=None)  # (N,) value added at full capacity + tariffs
    nii: np.ndarray = field(default=None)  # (N,) net investment income
    consumption: np.ndarray = field(default=None)
    investment: np.ndarray = field(default=None)
    absorption: np.ndarray = field(default=None)  # planned
    spent: np.ndarray = field(default=None)  # absorption actually placed
    desired_lending: np.ndarray = field(default=None)  # (N,) desired net lending (NL*)
    fx_plan: np.ndarray = field(default=None)  # (N,) planned official FX purchases
    fx: np.ndarray = field(default=None)  # (N,) actual official FX purchases (ex interest)
    gdp: np.ndarray = field(default=None)
    value_added: np.ndarray = field(default=None)
    exports: np.ndarray = field(default=None)  # (N,) this tick's (last tick's until trade runs)
    imports: np.ndarray = field(default=None)
    exports_sector: np.ndarray = field(default=None)  # (N, S) exports by sector
    imports_sector: np.ndarray = field(default=None)  # (N, S)
    tariff: np.ndarray = field(default=None)
    intermediate: np.ndarray = field(default=None)  # (N, S1) nominal input purchases by input sector
    final_spend: np.ndarray = field(default=None)  # (N, S1) nominal final spending by sector
    ca: np.ndarray = field(default=None)
    writedown: np.ndarray = field(default=None)  # (N,) NFA change from debt write-downs
    unmet: np.ndarray = field(default=None)  # (N,) spending with no origin open
    pressure: np.ndarray = field(default=None)  # (N,) FX-market pressure / full income
    rate: np.ndarray = field(default=None)  # (N,) country borrowing rate
    official_rate: np.ndarray = field(default=None)  # (K,) rate paid on reserves of each issuer
    household_credit: np.ndarray = field(default=None)  # (N,) household borrowing (+) or repayment (-)
    relocated: np.ndarray = field(default=None)  # (N,) capacity of the relocating sector moved in (+) or out (-)
    sales: np.ndarray = field(default=None)  # (N, S1) sales (revenue) by sector, USD bn/yr
    firm_writeoff: np.ndarray = field(default=None)  # (N,) firm debt written off this tick, USD bn
    stop_applied: np.ndarray = field(default=None)  # (N,) bool: a sudden stop bound this tick
    rate_fallback: np.ndarray = field(default=None)  # (R,) bool: no world rate cleared lending
    gov_spending: np.ndarray = field(default=None)  # (N,) government purchases, USD bn/yr
    taxes: np.ndarray = field(default=None)  # (N,) USD bn/yr
    public_interest: np.ndarray = field(default=None)  # (N,) interest on public debt, USD bn/yr
    fiscal_balance: np.ndarray = field(default=None)  # (N,) taxes - spending - interest, USD bn/yr
    policy_rate: np.ndarray = field(default=None)  # (N,) base rate: policy rate where set, else world rate
    portfolio_inflow: np.ndarray = field(default=None)  # (N,) desired net portfolio inflow, USD bn/yr
    private_inflow: np.ndarray = field(default=None)  # (N,) realised net private capital inflow, USD bn/yr
    # --- valuation (sim/valuation.py): gross private positions as last revalued, USD bn
    valuation: np.ndarray = field(default=None)  # (N,) NFA change from exchange-rate moves this tick
    gross_assets: np.ndarray = field(default=None)  # (N,) gross private foreign assets
    gross_liabilities: np.ndarray = field(default=None)  # (N,) gross private foreign liabilities
    own_liabilities: np.ndarray = field(default=None)  # (N,) the part of them in own currency
    e_valued: np.ndarray = field(default=None)  # (N,) rates at which stocks were last valued
    fdi_income: np.ndarray = field(default=None)  # (N,) FDI income received - paid (in nii), USD bn/yr
    fdi_assets: np.ndarray = field(default=None)  # (N,) FDI claims held abroad, USD bn
    fdi_liabilities: np.ndarray = field(default=None)  # (N,) FDI claims of foreigners on the country, USD bn
    fdi_outflow: np.ndarray = field(default=None)  # (N,) net acquisition of FDI assets, USD bn/yr
    fdi_inflow: np.ndarray = field(default=None)  # (N,) net incurrence of FDI liabilities, USD bn/yr

    def copy(self) -> State:
        """A deep copy (arrays copied)."""
        kw = {}
        for f in fields(self):
            v = getattr(self, f.name)
            kw[f.name] = v.copy() if isinstance(v, np.ndarray) else v
        return State(**kw)

    def productivity(self) -> np.ndarray:
        """(N, S1) productivity including transitory noise, real units per worker-year."""
        return np.exp(self.log_base + self.log_innov + self.log_shock + self.noise + self.jitter)

    def trend_productivity(self) -> np.ndarray:
        """(N, S1) productivity without transitory noise (event shocks included)."""
        return np.exp(self.log_base + self.log_innov + self.log_shock)
