"""Bilateral balances in gross terms and in value added, from the world input-output table
rebuilt from a run's logs.

How the model buys inputs (:func:`sim.trade.trade`): in destination d, purchases of input sector r
at tick t are ``sum_u a[r, u] * Q[d, u, t-1] * P[d, r, t]`` (input coefficients ``a[input,
using]``, real output Q of the previous tick, purchaser price P), and they are split across
origins like all of d's purchases of r. The bilateral table logs each flow at producer prices
with its ``intermediate`` part, so the flow of r from o used by sector u in d is that part times
``a[r, u] Q[d, u, t-1] / sum_u' a[r, u'] Q[d, u', t-1]``. Services are not traded: d's services
are bought at home, by final demand (services sales less the services bought as inputs) and as
inputs.

Gross output X at producer prices = logged output x producer price of tick t. Each column's
value added is X minus its inputs at purchaser prices; tariffs on imported inputs (purchaser
minus producer value) are the buyer's costs and its government's revenue, a separate primary
input, as in national accounts ("taxes on products"). With ``A = Z / X`` and the Leontief
inverse ``L = (I - A)^-1``, the value added of country c absorbed by the final demand of d is
``sum over c's sectors of v * (L F)[:, d]`` with ``v = value added / X``
(Johnson and Noguera 2012). The value-added balance of A with B is what B's final demand absorbs
of A's value added minus what A's absorbs of B's.

Requires bilateral flows logged at ``tick`` and country series at ``tick`` and ``tick - 1``
(``simulation.bilateral_every = 1`` and ``log_every = 1``, the defaults, log every tick). Exact
when no demand goes unmet (``unmet_demand`` zero, i.e. some origin of every sector is open to
every buyer).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.measures import bilateral_balance_matrix, bilateral_exports
from sim.errors import TradesimError
from sim.events import apply_params, strength
from sim.results import Results
from sim.scenario import input_matrix, load_scenario, resolved_document
from sim.schema import Scenario


@dataclass
class WorldIOTable:
    """The world input-output table of one tick, USD bn/yr, rows and columns ordered
    (country, sector) with sectors traded first and services last.

    Attributes:
        countries: country names.
        sectors: sector names.
        Z: (NS, NS) intermediate flows at producer prices, row = supplying (country, sector),
            column = using (country, sector).
        F: (NS, N) final demand at producer prices by destination country.
        X: (NS,) gross output at producer prices.
        value_added: (NS,) X minus inputs at purchaser prices.
        input_tariffs: (NS,) tariffs paid on imported inputs.
    """

    countries: list[str]
    sectors: list[str]
    Z: np.ndarray
    F: np.ndarray
    X: np.ndarray
    value_added: np.ndarray
    input_tariffs: np.ndarray

    def leontief(self) -> np.ndarray:
        """(NS, NS) Leontief inverse (I - A)^-1 with A = Z / X by column (zero where X is zero)."""
        x = np.where(self.X > 0, self.X, 1.0)
        A = np.where(self.X[None, :] > 0, self.Z / x[None, :], 0.0)
        return np.linalg.solve(np.eye(A.shape[0]) - A, np.eye(A.shape[0]))

    def value_added_by_destination(self) -> pd.DataFrame:
        """Value added of each country (rows) absorbed by each country's final demand
        (columns), USD bn/yr. Rows sum to each country's value added when the table balances.
        """
        n, s = len(self.countries), len(self.sectors)
        v = np.where(self.X > 0, self.value_added / np.where(self.X > 0, self.X, 1.0), 0.0)
        content = v[:, None] * (self.leontief() @ self.F)  # (NS, N)
        vax = content.reshape(n, s, n).sum(axis=1)
        idx = pd.Index(self.countries, name="country")
        return pd.DataFrame(vax, index=idx, columns=pd.Index(self.countries, name="absorbed_by"))


def scenario_at(scn: Scenario, tick: int) -> Scenario:
    """The scenario in force at ``tick``: ``scn`` with its events up to and including ``tick``
    applied (the model applies an event at the start of its tick).

    Temporary scale and add shocks count at their strength at ``tick``. Note that a run's ``Results.scenario`` is the scenario as it stood at the end of the run; if
    events changed input coefficients or budget shares, earlier ticks are rebuilt with the final
    values.
    """
    if not scn.event:
        return scn
    doc = resolved_document(scn)
    events = sorted(enumerate(scn.event), key=lambda kv: (kv[1].tick, kv[0]))
    doc.pop("event", None)
    for _, ev in events:
        if ev.tick <= tick:
            doc = apply_params(doc, ev, scn.names)
    for _, ev in events:
        if ev.tick <= tick and ev.years is not None:
            share = strength((tick - ev.tick) * scn.dt, ev.years, ev.half_life)
            doc = apply_params(doc, ev, scn.names, permanent=False, temporary_share=share)
    return load_scenario(doc, file="<event>", horizon=False)


def _rows(results: Results, tick: int) -> pd.DataFrame:
    ts = results.timeseries
    rows = ts[ts["tick"] == tick]
    if len(rows) != len(results.countries):
        raise TradesimError(
            f"country series are not logged at tick {tick}; value-added balances need ticks t and t-1 "
            "logged (simulation.log_every = 1)"
        )
    rows = rows.set_index(rows["country"].astype(str))
    return rows.loc[results.countries]


def io_table(results: Results, tick: int) -> WorldIOTable:
    """Rebuild the world input-output table of a logged tick (see the module docs).

    Args:
        results: a run with bilateral flows at ``tick`` and country series at ``tick`` and ``tick - 1``.
        tick: a tick >= 1.
    """
    if tick < 1:
        raise TradesimError(f"value-added balances need the previous tick's output; tick must be >= 1, not {tick}")
    scn = scenario_at(results.scenario, tick)
    names, traded, sectors = results.countries, scn.traded, scn.all_sectors
    n, s, s1 = len(names), len(traded), len(sectors)
    now, before = _rows(results, tick), _rows(results, tick - 1)
    q_prev = before[[f"output_{x}" for x in sectors]].to_numpy(dtype=float)
    purchaser = now[[f"purchaser_price_{x}" for x in sectors]].to_numpy(dtype=float)
    X = now[[f"output_{x}" for x in sectors]].to_numpy(dtype=float) * now[[f"price_{x}" for x in sectors]].to_numpy(
        dtype=float
    )
    a = input_matrix(scn)
    need = a[None, :, :] * q_prev[:, None, :]  # [d, r, u] real input requirement
    cost = need * purchaser[:, :, None]  # at purchaser prices

    flows = _flows(results, tick, traded)  # [kind][o, d, r]
    Z = np.zeros((n, s1, n, s1))
    F = np.zeros((n, s1, n))
    total = need[:, :s, :].sum(axis=2)  # [d, r]
    w = np.where(total[:, :, None] > 0, need[:, :s, :] / np.where(total > 0, total, 1.0)[:, :, None], 0.0)
    Z[:, :s, :, :] = np.einsum("odr,dru->ordu", flows["intermediate"], w)
    F[:, :s, :] = flows["final"].transpose(0, 2, 1)
    d = np.arange(n)
    Z[d, s1 - 1, d, :] = cost[:, s1 - 1, :]
    # services are sold only at home, to final demand and as inputs: final demand is the rest
    # (budget shares move with income, so the world's base shares would not give it)
    F[d, s1 - 1, d] = X[:, s1 - 1] - cost[:, s1 - 1, :].sum(axis=1)
    inputs = cost.sum(axis=1)  # [d, u] at purchaser prices
    at_producer = Z.sum(axis=(0, 1))  # [d, u]
    return WorldIOTable(
        countries=list(names),
        sectors=list(sectors),
        Z=Z.reshape(n * s1, n * s1),
        F=F.reshape(n * s1, n),
        X=X.reshape(-1),
        value_added=(X - inputs).reshape(-1),
        input_tariffs=(inputs - at_producer).reshape(-1),
    )


def _flows(results: Results, tick: int, traded: list[str]) -> dict[str, np.ndarray]:
    bilateral_exports(results, [tick])  # raises a clear error if the tick is not logged
    bil = results.bilateral
    sel = bil[bil["tick"] == tick]
    names = results.countries
    n, s = len(names), len(traded)
    o = pd.Categorical(sel["origin"].astype(str), categories=names).codes
    d = pd.Categorical(sel["destination"].astype(str), categories=names).codes
    r = pd.Categorical(sel["sector"].astype(str), categories=traded).codes
    if (o < 0).any() or (d < 0).any() or (r < 0).any():
        raise TradesimError(f"the bilateral table at tick {tick} names countries or sectors the scenario lacks")
    out = {}
    for kind in ("final", "intermediate"):
        arr = np.zeros((n, n, s))
        np.add.at(arr, (o, d, r), sel[kind].to_numpy(dtype=float))
        out[kind] = arr
    return out


def value_added_balances(results: Results, tick: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bilateral balances at one tick in gross terms and in value added, country x partner,
    USD bn/yr.

    Args:
        results: a run with bilateral flows at ``tick`` and country series at ``tick`` and
            ``tick - 1`` (the default logging does this for every tick).
        tick: a logged tick >= 1.

    Returns:
        (gross, value_added): gross[A, B] = A's exports to B minus its imports from B at producer
        prices, summed over traded sectors; value_added[A, B] = A's value added absorbed by B's
        final demand minus B's value added absorbed by A's. Both antisymmetric.
    """
    gross = bilateral_balance_matrix(results, tick)
    vax = io_table(results, tick).value_added_by_destination().to_numpy()
    bal = vax - vax.T
    np.fill_diagonal(bal, 0.0)
    return gross, pd.DataFrame(bal, index=gross.index, columns=gross.columns)
