"""Logging and results: arrays per logged tick during a run, tidy tables built once at the end.

Two tables:

- ``timeseries``: one row per (logged tick, country); money in billions of USD, flows at annual
  rates; columns are listed in :data:`COUNTRY_COLUMNS` and :func:`sector_columns`.
- ``bilateral``: one row per (logged tick, origin, destination, traded sector) with the flow at
  producer prices (home sales on the diagonal), split into final and intermediate use. With the
  logged real output, purchaser prices and the scenario's input coefficients this rebuilds the
  world input-output table (see :func:`sim.analysis.value_added_balances` once available).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.model import TradeModel
    from sim.schema import Scenario

COUNTRY_COLUMNS: dict[str, str] = {
    "gdp": "GDP at market exchange rates, USD bn/yr (value added + tariff revenue)",
    "gdp_ppp": "GDP at purchasing-power parity (world average prices), USD bn/yr",
    "gdp_real": "real GDP: real output valued at tick-0 value added per unit (double deflation), tick-0 USD bn/yr",
    "gdp_potential": "potential real GDP: capacity valued at tick-0 value added per unit, tick-0 USD bn/yr",
    "full_income": "value added at full capacity + tariff revenue, USD bn/yr",
    "exports": "exports at producer prices, USD bn/yr",
    "imports": "imports at producer prices (tariffs excluded), USD bn/yr",
    "trade_balance": "exports - imports, USD bn/yr",
    "tariff_revenue": "tariffs collected, USD bn/yr",
    "net_investment_income": "interest and FDI income received - paid, USD bn/yr",
    "current_account": "trade balance + net investment income, USD bn/yr",
    "consumption": "USD bn/yr",
    "investment": "USD bn/yr",
    "absorption": "consumption + investment actually spent, USD bn/yr",
    "desired_lending": "desired net lending NL*, USD bn/yr",
    "fx_purchases": "official FX purchases (negative: sales), interest excluded, USD bn/yr",
    "reserves": "official reserves (claims on issuers), USD bn",
    "official_liabilities": "reserves other countries hold on this issuer, USD bn",
    "private_claims": "net private claims on the world pool, USD bn",
    "net_foreign_assets": "USD bn",
    "writedown": "net foreign assets gained (+) or lost (-) in debt write-downs this tick, USD bn",
    "valuation": "net foreign assets gained (+) or lost (-) when exchange rates moved this tick, USD bn",
    "gross_private_assets": "gross private foreign assets (claims on the world pool), USD bn",
    "gross_private_liabilities": "gross private foreign liabilities, USD bn",
    "liabilities_own_currency": "the part of gross private foreign liabilities in the country's own currency, USD bn",
    "exchange_rate": "USD per unit of local currency",
    "price_level": "PPP price level (world = 1 on average)",
    "wage_usd": "wage in thousand USD per worker-year",
    "labor_force": "millions of workers",
    "utilisation": "value of sales / value of capacity",
    "premium": "risk premium, per year",
    "borrowing_rate": "rate the country pays on private debt, per year",
    "world_interest_rate": "per year (same for every country)",
    "sudden_stop": "1 if a sudden stop bound absorption this tick",
    "unmet_demand": "final spending with no origin open, USD bn/yr",
    "household_debt": "domestic household debt, USD bn",
    "firm_writeoff": "state-bank debt of firms written off in defaults this tick, USD bn",
    "mean_tariff": "simple average of the tariffs the country levies on its partners' traded goods",
    "government_spending": "government purchases, USD bn/yr",
    "taxes": "taxes, USD bn/yr",
    "public_debt_interest": "interest on public debt, paid to domestic households, USD bn/yr",
    "fiscal_balance": "taxes - government purchases - interest on public debt, USD bn/yr",
    "public_debt": "government debt held by domestic households, USD bn",
    "private_saving": "GDP + net investment income + interest on public debt - taxes - private spending "
    "(absorption - investment - government purchases), USD bn/yr",
    "policy_rate": "the country's base rate: its central-bank policy rate where it sets one, else the world rate, per year",
    "portfolio_inflow": "desired net private portfolio inflow drawn by expected excess returns, USD bn/yr",
    "private_capital_inflow": "realised net private capital inflow (fall in net private claims, write-downs excluded), USD bn/yr",
    "fdi_income": "FDI income received - paid (part of net investment income), USD bn/yr",
    "fdi_assets": "FDI claims held on other countries (relocated capacity owned abroad), USD bn",
    "fdi_liabilities": "FDI claims other countries hold on this one, USD bn",
    "fdi_outflow": "net acquisition of FDI assets (paid out of private claims), USD bn/yr",
    "fdi_inflow": "net incurrence of FDI liabilities (received as private claims), USD bn/yr",
}
SECTOR_COLUMNS: dict[str, str] = {
    "productivity": "real output per worker-year (with noise)",
    "labor_share": "share of the labor force",
    "output": "real gross output",
    "output_share": "share of gross output value",
    "price": "producer price, USD per real unit",
    "purchaser_price": "purchaser price index, USD per real unit",
    "utilisation": "real output / capacity",
}
TRADED_COLUMNS: dict[str, str] = {
    "exports": "exports of the sector, USD bn/yr",
    "imports": "imports of the sector, USD bn/yr",
    "firm_debt": "state-bank debt of the sector's firms, USD bn",
}


def sector_columns(sectors: list[str], traded: list[str]) -> list[str]:
    """Names of the per-sector columns of the timeseries table."""
    cols = [f"{k}_{s}" for k in SECTOR_COLUMNS for s in sectors]
    cols += [f"{k}_{s}" for k in TRADED_COLUMNS for s in traded]
    return cols


def timeseries_columns(sectors: list[str], traded: list[str], issuers: list[str]) -> list[str]:
    """Every column of the timeseries table, in order: tick, year, country, the country columns,
    the sector columns (:func:`sector_columns`) and each reserve issuer's ``reserves_in_<name>``.

    :meth:`Recorder.tables` builds the table from this list, and the scenario loader refuses
    sector and country names that would give a column twice (``sim.scenario.check_semantics``).
    """
    return [
        "tick",
        "year",
        "country",
        *COUNTRY_COLUMNS,
        *sector_columns(sectors, traded),
        *(f"reserves_in_{i}" for i in issuers),
    ]


# country columns that are a state array as it stands when the tick is logged
_STATE_COLUMNS: dict[str, str] = {
    "gdp": "gdp",
    "full_income": "full_income",
    "exports": "exports",
    "imports": "imports",
    "tariff_revenue": "tariff",
    "net_investment_income": "nii",
    "current_account": "ca",
    "consumption": "consumption",
    "investment": "investment",
    "absorption": "spent",
    "desired_lending": "desired_lending",
    "fx_purchases": "fx",
    "official_liabilities": "liabilities",
    "private_claims": "private",
    "net_foreign_assets": "nfa",
    "writedown": "writedown",
    "valuation": "valuation",
    "gross_private_assets": "gross_assets",
    "gross_private_liabilities": "gross_liabilities",
    "liabilities_own_currency": "own_liabilities",
    "exchange_rate": "e",
    "labor_force": "labor",
    "utilisation": "util",
    "premium": "premium",
    "borrowing_rate": "rate",
    "sudden_stop": "stop_applied",
    "unmet_demand": "unmet",
    "household_debt": "household_debt",
    "firm_writeoff": "firm_writeoff",
    "government_spending": "gov_spending",
    "taxes": "taxes",
    "public_debt_interest": "public_interest",
    "fiscal_balance": "fiscal_balance",
    "public_debt": "public_debt",
    "policy_rate": "policy_rate",
    "portfolio_inflow": "portfolio_inflow",
    "private_capital_inflow": "private_inflow",
    "fdi_income": "fdi_income",
    "fdi_assets": "fdi_assets",
    "fdi_liabilities": "fdi_liabilities",
    "fdi_outflow": "fdi_outflow",
    "fdi_inflow": "fdi_inflow",
}
_SECTOR_STATE: dict[str, str] = {
    "labor_share": "alloc",
    "output": "output",
    "price": "price",
    "purchaser_price": "purchaser_price",
    "utilisation": "util_sector",
}


class Recorder:
    """Stores the tick's arrays on logged ticks into preallocated buffers (no tables per tick).

    Every buffer has a member axis after the row axis (row, member, country, ...): each logged
    tick copies the whole ensemble's arrays at once. A logged tick only copies arrays: state
    arrays into their columns, and what the other columns are computed from (final spending,
    capacity, wages, log productivity) into private buffers. The computed columns (GDP at PPP
    and real GDP, price level, trade balance, reserves, output shares, productivity...) are
    filled in, for one member, when its columns are read or its tables are built, with the same
    operations on the same numbers as at the tick, so the values are identical. Nothing in a
    logged tick touches an (S, N, N) array except the bilateral flows on the ticks that log them.

    :attr:`country`, :attr:`sector`, :attr:`traded`, :attr:`reserves_by_issuer`,
    :attr:`bilateral` and :attr:`final_share` show the model's focus member; :meth:`member`
    any member's columns.

    Args:
        model: the model to record.
        ticks: planned number of ticks (buffers grow if the model runs longer).
    """

    def __init__(self, model: TradeModel, ticks: int):
        sim = model.spec.simulation
        self.log_every = sim.log_every
        self.bilateral_every = sim.bilateral_every
        self.planned = ticks
        self.model = model
        self.r, self.n, self.s1 = model.R, model.n, model.s + 1
        r, n, s1 = self.r, self.n, self.s1
        cap = ticks // self.log_every + 2
        self.ticks: list[int] = []
        self._country = {k: np.empty((cap, r, n)) for k in COUNTRY_COLUMNS}
        self._sector = {k: np.empty((cap, r, n, s1)) for k in SECTOR_COLUMNS}
        self._traded = {k: np.empty((cap, r, n, s1 - 1)) for k in TRADED_COLUMNS}
        self._reserves = np.empty((cap, r, n, len(model.ca.issuer_index)))
        self._raw = {
            "final_spend": np.empty((cap, r, n, s1)),
            "capacity": np.empty((cap, r, n, s1)),
            "wage": np.empty((cap, r, n)),
            "world_rate": np.empty((cap, r)),
        }
        self._base_value_added = model.base_value_added
        self._filled = np.zeros(r, dtype=np.int64)  # rows whose computed columns are filled in, per member
        self.stopped_at: list[int | None] = [None] * r  # tick a failed member stopped at
        self.bilateral_ticks: list[int] = []
        self._bilateral: list[np.ndarray] = []  # (R, S, N, N) producer-price flows
        self._final_share: list[np.ndarray] = []  # (R, S, N) final / total spending by destination

    # ------------------------------------------------------------------ member views

    def rows(self, member: int) -> int:
        """Number of logged rows that belong to a member (a failed member's stop at its failure)."""
        stop = self.stopped_at[member]
        if stop is None:
            return len(self.ticks)
        return sum(1 for t in self.ticks if t < stop)

    def member(self, member: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """A member's country columns (rows, N) and sector columns (rows, N, S1), filled in."""
        self._fill(member)
        return (
            {k: v[:, member] for k, v in self._country.items()},
            {k: v[:, member] for k, v in self._sector.items()},
        )

    @property
    def country(self) -> dict[str, np.ndarray]:
        """The focus member's country columns, each (rows, N); rows ``[0, len(ticks))`` are the logged ticks."""
        return self.member(self.model.focus)[0]

    @property
    def sector(self) -> dict[str, np.ndarray]:
        """The focus member's sector columns, each (rows, N, S1); rows as in :attr:`country`."""
        return self.member(self.model.focus)[1]

    @property
    def traded(self) -> dict[str, np.ndarray]:
        """The focus member's traded-sector columns, each (rows, N, S)."""
        return {k: v[:, self.model.focus] for k, v in self._traded.items()}

    @property
    def reserves_by_issuer(self) -> np.ndarray:
        """The focus member's reserves by issuer, (rows, N, K)."""
        return self._reserves[:, self.model.focus]

    @property
    def bilateral(self) -> list[np.ndarray]:
        """The focus member's bilateral flows (S, N, N), one per logged tick."""
        return [b[self.model.focus] for b in self._bilateral]

    @property
    def final_share(self) -> list[np.ndarray]:
        """The focus member's final share of spending (S, N), one per bilateral tick."""
        return [b[self.model.focus] for b in self._final_share]

    def stop(self, member: int, tick: int) -> None:
        """A member failed at this tick: its rows end before it."""
        self.stopped_at[member] = tick

    # ------------------------------------------------------------------ logging

    def wants(self, tick: int) -> bool:
        """Whether country series are logged at this tick."""
        return tick % self.log_every == 0 or tick == self.planned - 1

    def wants_bilateral(self, tick: int) -> bool:
        """Whether bilateral flows are logged at this tick."""
        return self.bilateral_every > 0 and (tick % self.bilateral_every == 0 or tick == self.planned - 1)

    def _grow(self) -> None:
        for store in (self._country, self._sector, self._traded, self._raw):
            for k, v in store.items():
                store[k] = np.concatenate([v, np.empty_like(v)])
        self._reserves = np.concatenate([self._reserves, np.empty_like(self._reserves)])

    def record(self, model: TradeModel) -> None:
        """Store this tick's values if it is a logged tick."""
        t = model.tick
        if self.wants_bilateral(t):
            self.bilateral_ticks.append(t)
            spend = model._spend_traded
            self._bilateral.append(model.flows())
            fin = model.state.final_spend[..., : self.s1 - 1].swapaxes(-1, -2)
            self._final_share.append(np.where(spend > 0, fin / np.where(spend > 0, spend, 1.0), 0.0))
        if not self.wants(t):
            return
        k = len(self.ticks)
        if k >= self._raw["wage"].shape[0]:
            self._grow()
        self.ticks.append(t)
        st = model.state
        c, sec, raw = self._country, self._sector, self._raw
        for col, attr in _STATE_COLUMNS.items():
            c[col][k] = getattr(st, attr)
        c["mean_tariff"][k] = model.traded_mean_tariff
        for col, attr in _SECTOR_STATE.items():
            sec[col][k] = getattr(st, attr)
        # log productivity with noise (exponentiated when filled in)
        np.add(st.log_base + st.log_innov + st.log_shock, st.noise + st.jitter, out=sec["productivity"][k])
        raw["final_spend"][k] = st.final_spend
        raw["capacity"][k] = st.capacity
        raw["wage"][k] = st.wage
        raw["world_rate"][k] = st.world_rate
        self._traded["exports"][k] = st.exports_sector
        self._traded["imports"][k] = st.imports_sector
        self._traded["firm_debt"][k] = st.firm_debt[..., : self.s1 - 1]
        self._reserves[k] = st.reserves

    def _fill(self, m: int) -> None:
        """Compute member m's derived columns of the rows logged since the last call."""
        lo, hi = int(self._filled[m]), len(self.ticks)
        if lo >= hi:
            return
        c = {k: v[:, m] for k, v in self._country.items()}
        sec = {k: v[:, m] for k, v in self._sector.items()}
        raw = {k: v[:, m] for k, v in self._raw.items()}
        res = self._reserves[:, m]
        bva = self._base_value_added[m]
        rows = slice(lo, hi)
        # all rows at once, each row's reductions in the same order as on a single tick (sums
        # over the last axis, a stack of matrix-vector products)
        level = ppp_price_level(raw["final_spend"][rows], sec["purchaser_price"][rows])
        c["price_level"][rows] = level
        c["gdp_ppp"][rows] = c["gdp"][rows] / level
        c["gdp_real"][rows] = np.sum(sec["output"][rows] * bva, axis=-1)
        c["gdp_potential"][rows] = np.sum(raw["capacity"][rows] * bva, axis=-1)
        c["reserves"][rows] = res[rows].sum(axis=-1)
        gross = sec["output"][rows] * sec["price"][rows]
        sec["output_share"][rows] = gross / gross.sum(axis=-1, keepdims=True)
        c["trade_balance"][rows] = c["exports"][rows] - c["imports"][rows]
        private_spending = c["absorption"][rows] - c["investment"][rows] - c["government_spending"][rows]
        c["private_saving"][rows] = (
            c["gdp"][rows]
            + c["net_investment_income"][rows]
            + c["public_debt_interest"][rows]
            - c["taxes"][rows]
            - private_spending
        )
        c["wage_usd"][rows] = raw["wage"][rows] * c["exchange_rate"][rows]
        c["world_interest_rate"][rows] = raw["world_rate"][rows, None]
        sec["productivity"][rows] = np.exp(sec["productivity"][rows])
        self._filled[m] = hi

    def tables(
        self, model: TradeModel, member: int | None = None, *, bilateral: bool = True
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Build a member's timeseries and bilateral tables (once, at the end of a run); by
        default the focus member's. A failed member's tables end before the tick it failed at.
        ``bilateral=False`` returns an empty bilateral table (nothing asked for needs it).
        """
        m = model.focus if member is None else member
        k = self.rows(m)
        names = model.names
        n = self.n
        ticks = np.asarray(self.ticks[:k], dtype=np.int64)
        spec = model.specs[m]
        dt = spec.dt
        country, sector = self.member(m)
        traded = {key: v[:, m] for key, v in self._traded.items()}
        issuers = [names[i] for i in model.ca.issuer_index]
        s1, s = self.s1, self.s1 - 1
        # every float column goes straight into one (columns, rows) block that becomes the
        # DataFrame's storage: no second copy when pandas consolidates 200-odd columns
        floats = [c for c in COUNTRY_COLUMNS if c != "sudden_stop"]
        # tick, country (labels) and sudden_stop (flags) are inserted below
        cols = timeseries_columns(model.sectors, spec.traded, issuers)
        cols = [c for c in cols if c not in ("tick", "country", "sudden_stop")]
        block = np.empty((len(cols), k * n))
        block[0] = np.repeat(spec.simulation.start_year + ticks * dt, n)
        for i, name in enumerate(floats, start=1):
            block[i] = country[name][:k].reshape(-1)
        i = 1 + len(floats)
        for store, width in ((sector, s1), (traded, s)):
            for arr in store.values():  # (k, N, width) -> width columns of k * N rows
                block[i : i + width] = arr[:k].transpose(2, 0, 1).reshape(width, -1)
                i += width
        block[i:] = self._reserves[:k, m].transpose(2, 0, 1).reshape(len(issuers), -1)
        ts = pd.DataFrame(block.T, columns=cols, copy=False)
        ts.insert(0, "tick", np.repeat(ticks, n))
        ts.insert(2, "country", pd.Categorical(np.tile(names, k), categories=names))
        at = 3 + list(COUNTRY_COLUMNS).index("sudden_stop")
        ts.insert(at, "sudden_stop", country["sudden_stop"][:k].reshape(-1).astype(bool))
        return ts, self._bilateral_table(model, m if bilateral else None)

    def column_block(self, model: TradeModel, column: str, members: np.ndarray) -> np.ndarray:
        """(M, rows, N) values of one timeseries-table column for members that ran to the end,
        exactly as their tables hold them (float; ``sudden_stop`` as 0 / 1), in a C-contiguous
        copy. Computed columns are filled in first (see :meth:`member`).
        """
        store, key, j = self._locate(model, column)
        k = len(self.ticks)
        if (store is self._country and key not in _STATE_COLUMNS and key != "mean_tariff") or (
            store is self._sector and key not in _SECTOR_STATE
        ):
            for m in members:
                self._fill(int(m))
        buf = store[key] if key is not None else store
        out = buf[:k, members]  # (rows, M, N[, width])
        out = np.ascontiguousarray((out if j is None else out[..., j]).swapaxes(0, 1))
        return (out != 0).astype(float) if column == "sudden_stop" else out

    def _locate(self, model: TradeModel, column: str) -> tuple[Any, str | None, int | None]:
        if column in COUNTRY_COLUMNS:
            return self._country, column, None
        issuers = [model.names[i] for i in model.ca.issuer_index]
        layout = [(self._sector, key, model.sectors) for key in SECTOR_COLUMNS]
        layout += [(self._traded, key, model.spec.traded) for key in TRADED_COLUMNS]
        layout.append((self._reserves, None, issuers))
        for store, key, labels in layout:
            prefix = f"{key}_" if key is not None else "reserves_in_"
            if column.startswith(prefix) and column[len(prefix) :] in labels:
                return store, key, labels.index(column[len(prefix) :])
        raise KeyError(column)

    def flow_block(self, origin: int, destination: int, members: np.ndarray) -> np.ndarray:
        """(M, bilateral ticks, S) producer-price flows from ``origin`` to ``destination``
        (country indices) for members that ran to the end, C-contiguous.
        """
        out = np.empty((len(members), len(self._bilateral), self.s1 - 1))
        for j, flows in enumerate(self._bilateral):  # (R, S, N, N) each
            out[:, j] = flows[members, :, origin, destination]
        return out

    def _bilateral_table(self, model: TradeModel, m: int | None) -> pd.DataFrame:
        names, traded = model.names, model.spec.traded
        n, s = self.n, self.s1 - 1
        cols = ["tick", "year", "origin", "destination", "sector", "value", "final", "intermediate"]
        stop = None if m is None else self.stopped_at[m]
        keep = [] if m is None else [j for j, t in enumerate(self.bilateral_ticks) if stop is None or t < stop]
        if not keep:
            return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
        flows = np.stack([self._bilateral[j][m] for j in keep])  # (T, S, N, N)
        share = np.stack([self._final_share[j][m] for j in keep])  # (T, S, N) by destination
        t = len(keep)
        # order rows by tick, origin, destination, sector
        value = flows.transpose(0, 2, 3, 1).reshape(-1)
        fshare = np.broadcast_to(share[:, :, None, :], flows.shape).transpose(0, 2, 3, 1).reshape(-1)
        idx_t, idx_o, idx_d, idx_s = np.indices((t, n, n, s)).reshape(4, -1)
        ticks = np.asarray([self.bilateral_ticks[j] for j in keep], dtype=np.int64)
        return pd.DataFrame(
            {
                "tick": ticks[idx_t],
                "year": (model.specs[m].simulation.start_year + ticks * model.specs[m].dt)[idx_t],
                "origin": pd.Categorical.from_codes(idx_o, categories=names),
                "destination": pd.Categorical.from_codes(idx_d, categories=names),
                "sector": pd.Categorical.from_codes(idx_s, categories=traded),
                "value": value,
                "final": value * fshare,
                "intermediate": value * (1.0 - fshare),
            }
        )


def _mean_tariff(tariff: np.ndarray) -> np.ndarray:
    """(N,) simple average over sectors and partners of the tariffs each country levies."""
    s, n, _ = tariff.shape
    if n < 2:
        return np.zeros(n)
    return tariff.sum(axis=(0, 1)) / (s * (n - 1))


def ppp_price_level(final_spend: np.ndarray, purchaser_price: np.ndarray) -> np.ndarray:
    """(N,) price level of final purchases at world-average (Geary-Khamis-style) prices.

    Real final purchases q = spend / P are valued at international prices
    pi_s = sum_i spend[i, s] / sum_i q[i, s]; the level is spend / value of q at pi.
    Either (N, S1) arrays, or (T, N, S1) for T rows at once (each row as alone).
    """
    q = final_spend / purchaser_price
    world_q = q.sum(axis=-2)
    intl = np.where(world_q > 0, final_spend.sum(axis=-2) / np.where(world_q > 0, world_q, 1.0), 0.0)
    # one row: a matrix-vector product; several: a stack of them (the same arithmetic per row)
    at_intl = q @ intl if q.ndim == 2 else np.matmul(q, intl[..., None])[..., 0]
    return np.where(at_intl > 0, final_spend.sum(axis=-1) / np.where(at_intl > 0, at_intl, 1.0), 1.0)


@dataclass
class Results:
    """What a run produced.

    Attributes:
        timeseries: one row per (logged tick, country).
        bilateral: one row per (logged tick, origin, destination, sector).
        scenario: the resolved scenario that ran.
        manifest: provenance (versions, seed, command, timings, hashes).
        path: the run folder, or None if the run was not written.
    """

    timeseries: pd.DataFrame
    bilateral: pd.DataFrame
    scenario: Scenario
    manifest: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def countries(self) -> list[str]:
        """Country names in scenario order."""
        return self.scenario.names

    def series(self, column: str) -> pd.DataFrame:
        """A wide table: index tick, one column per country."""
        return self.timeseries.pivot(index="tick", columns="country", values=column)[self.countries]

    def share_of_gdp(self, column: str) -> pd.DataFrame:
        """A wide table of ``column / gdp`` (e.g. current account / GDP)."""
        return self.series(column) / self.series("gdp")

    def imbalance_index(self) -> pd.Series:
        """Global imbalance index per tick: sum of |current account| / world GDP."""
        ca = self.series("current_account")
        return ca.abs().sum(axis=1) / self.series("gdp").sum(axis=1)
