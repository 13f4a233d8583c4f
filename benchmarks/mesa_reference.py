"""A reference implementation of tradesim's trade step written the per-agent Mesa way.

Each country is a ``mesa.Agent`` that holds its own prices, capacity and spending as Python
lists, its trade costs, tariffs and export controls as dictionaries keyed by partner, and buys
by looping over its partners and sectors in Python. It computes the same thing as
``TradeModel._trade`` (:func:`sim.trade.trade`: purchaser price indices, the split of every buyer's spending across
origins, sales, exports, imports and tariff revenue) directly from the CES formulas of
``docs/model.md`` §7.4 — no cached factors, no normalisation shift, no matrix products — so
that it checks the vectorised step independently (``tests/test_reference.py``) and shows what
a tick costs written this way (``benchmarks/run.py``).

It is not part of the package and never used by a simulation.

Usage::

    model = sim.TradeModel(...)
    model.step()                      # any number of ticks
    pre = prepare(model)              # run the next tick's stages up to the trade stage
    ref = MesaTradeReference(model)   # agents built from the model's parameters
    out = ref.trade(pre)              # the reference trade step (dict of arrays)
    model._trade()                    # the model's own, on the same state
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np

from sim import market


@dataclass
class PreTrade:
    """What the trade stage reads, copied from the model just before it runs (arrays)."""

    capacity: np.ndarray  # (N, S1)
    price: np.ndarray  # (N, S1) producer prices
    output: np.ndarray  # (N, S1) last tick's real output (inputs are bought for it)
    absorption: np.ndarray  # (N,)
    income_gain: np.ndarray  # (N, S1) log productivity gain relative to the frontier since the start


def prepare(model) -> PreTrade:
    """Run the next tick's stages before trade (events, announced pull-forward, produce, plan
    demand) and copy what the trade stage reads. Build the :class:`MesaTradeReference` after this
    (the trade policy in force may have changed), then call ``model._trade()`` to get the
    model's own trade step.
    """
    model._apply_events()
    model._update_pull()
    model._produce()
    model._plan_demand()
    st = model.view(0)  # member 0 of the ensemble (a single run's only member)
    gain = st.log_base + st.log_innov + st.log_shock - st.log_frontier[None, :] - st.log_gap_start
    return PreTrade(st.capacity.copy(), st.price.copy(), st.output.copy(), st.absorption.copy(), gain.copy())


class CountryTrader(mesa.Agent):
    """A country as a Mesa agent that trades by looping over partners and sectors."""

    def __init__(self, model: mesa.Model, index: int, name: str):
        super().__init__(model)
        self.index = index
        self.name = name
        self.cost_from: dict[CountryTrader, float] = {}  # iceberg factor tau[origin -> me]
        self.tariff_on: dict[CountryTrader, list[float]] = {}  # my tariff on each origin, by sector
        # (sector, destination) -> share of the buyers' demand let through, where it is not 1:
        # 0 for a ban, in (0, 1) for a quota, above 1 for purchases pulled forward
        self.openness: dict[tuple[int, CountryTrader], float] = {}
        # this tick
        self.capacity: list[float] = []
        self.price: list[float] = []
        self.output: list[float] = []
        self.absorption = 0.0
        self.budget: list[float] = []  # final budget shares at this country's income (Engel curves)
        self.purchaser: list[float] = []
        self.sales: list[float] = []  # at producer prices, home included, by traded sector
        self.exports: list[float] = []
        self.imports: list[float] = []
        self.tariff_revenue = 0.0

    def set_prices(self, sigma: list[float], world_capacity: list[float], pbar: list[float]) -> None:
        """Purchaser price index of each traded sector:
        P = pbar (sum_o w_o a_o (p_o / pbar tau (1+t))^(1-s) / W)^(1/(1-s)), with a_o the
        openness of origin o to me and W = sum_o w_o min(a_o, 1) the capacity share open to me;
        at s = 1 (Cobb-Douglas) its limit, exp(sum_o w_o a_o log(p_o tau (1+t)) / sum_o w_o a_o).
        """
        s_traded = len(sigma)
        self.purchaser = []
        for s in range(s_traded):
            one_minus = 1.0 - sigma[s]
            if one_minus == 0.0:
                self.purchaser.append(self._geometric_mean(s, world_capacity))
                continue
            phi = 0.0
            avail = 0.0
            for origin in self.model.traders:
                w = origin.capacity[s] / world_capacity[s] if world_capacity[s] > 0 else 0.0
                share = origin.openness.get((s, self), 1.0)
                if w <= 0.0 or share <= 0.0:
                    continue
                avail += w * min(share, 1.0)
                delivered = origin.price[s] / pbar[s] * self.cost_from[origin] * (1.0 + self.tariff_on[origin][s])
                phi += w * share * delivered**one_minus
            if phi > 0.0:
                self.purchaser.append(pbar[s] * (phi / min(avail, 1.0)) ** (1.0 / one_minus))
            else:
                self.purchaser.append(math.inf)
        self.purchaser.extend(self.price[s_traded:])  # services: bought at home at the producer price

    def _geometric_mean(self, s: int, world_capacity: list[float]) -> float:
        """Cobb-Douglas price index of sector s: delivered prices' geometric mean, weighted w_o a_o."""
        weight = 0.0
        log_sum = 0.0
        for origin in self.model.traders:
            w = origin.capacity[s] / world_capacity[s] if world_capacity[s] > 0 else 0.0
            share = origin.openness.get((s, self), 1.0)
            if w <= 0.0 or share <= 0.0:
                continue
            delivered = origin.price[s] * self.cost_from[origin] * (1.0 + self.tariff_on[origin][s])
            weight += w * share
            log_sum += w * share * math.log(delivered)
        return math.exp(log_sum / weight) if weight > 0.0 else math.inf

    def set_budget(self, base: list[float], elasticity: list[float], gain: list[float]) -> None:
        """Budget shares at this country's income: b_s exp(eta_s y) / sum_k b_k exp(eta_k y), with
        y = sum_s b_s (gain of log productivity relative to the frontier since the start)."""
        y = sum(b * g for b, g in zip(base, gain, strict=True))
        top = max(eta * y for eta in elasticity)
        weights = [b * math.exp(eta * y - top) for b, eta in zip(base, elasticity, strict=True)]
        total = sum(weights)
        self.budget = [w / total for w in weights]

    def buy(self, sigma: list[float], world_capacity: list[float], pbar: list[float], a) -> None:
        """Split this country's spending on each traded sector across origins and pay them."""
        s_traded = len(sigma)
        s_all = len(self.price)
        for s in range(s_traded):
            # final spending plus intermediate purchases of input s for last tick's output
            spend = self.absorption * self.budget[s]
            for u in range(s_all):
                spend += a[s][u] * self.output[u] * self.purchaser[s]
            one_minus = 1.0 - sigma[s]
            terms = []
            total = 0.0
            for origin in self.model.traders:
                w = origin.capacity[s] / world_capacity[s] if world_capacity[s] > 0 else 0.0
                share = origin.openness.get((s, self), 1.0)
                if w <= 0.0 or share <= 0.0:
                    continue
                t = self.tariff_on[origin][s]
                term = w * share * (origin.price[s] / pbar[s] * self.cost_from[origin] * (1.0 + t)) ** one_minus
                terms.append((origin, term, t))
                total += term
            if total <= 0.0:
                continue  # no origin open: the spending is not placed
            for origin, term, t in terms:
                paid = spend * term / total  # at purchaser prices
                received = paid / (1.0 + t)  # the producer's share; the rest is my tariff revenue
                origin.sales[s] += received
                if origin is not self:
                    origin.exports[s] += received
                    self.imports[s] += received
                    self.tariff_revenue += paid - received


class MesaTradeReference(mesa.Model):
    """The trade step of a :class:`sim.TradeModel` as a Mesa model of looping agents.

    Args:
        model: the tradesim model whose parameters (trade costs, the tariffs in force with any
            retaliation, export controls and quotas with any announced pull-forward,
            elasticities, budget shares and their income elasticities, input coefficients) the agents
            copy; each agent computes its own budget shares at its income (Engel curves).
    """

    def __init__(self, model):
        super().__init__(rng=0)
        tau, _, open_ = model._policy[0]  # member 0
        n = model.n
        self.s = model.s
        self.traders = [CountryTrader(self, i, name) for i, name in enumerate(model.names)]
        self.sigma = [float(x) for x in market.effective_sigma(model.wp.sigma[0])]
        self.a = model.wp.a[0].tolist()
        self.budget = model.wp.budget[0].tolist()
        structure = model.specs[0].world.structure
        self.elasticity = [float(structure.income_elasticity[s]) for s in model.sectors]
        tariff = model.tariff_in_force
        openness = open_ if model._pull[0] is None else open_ * model._pull[0]
        for d in self.traders:
            for o in self.traders:
                d.cost_from[o] = float(tau[o.index, d.index])
                d.tariff_on[o] = [float(tariff[s, o.index, d.index]) for s in range(self.s)]
        for o in self.traders:
            for s in range(self.s):
                for j in range(n):
                    if openness[s, o.index, j] != 1.0:
                        o.openness[(s, self.traders[j])] = float(openness[s, o.index, j])

    def trade(self, pre: PreTrade) -> dict[str, np.ndarray]:
        """Run the trade step on the state ``pre`` and return the results as (N, ...) arrays."""
        s_traded = self.s
        for ag in self.traders:
            i = ag.index
            ag.capacity = pre.capacity[i].tolist()
            ag.price = pre.price[i].tolist()
            ag.output = pre.output[i].tolist()
            ag.absorption = float(pre.absorption[i])
            ag.set_budget(self.budget, self.elasticity, pre.income_gain[i].tolist())
            ag.sales = [0.0] * s_traded
            ag.exports = [0.0] * s_traded
            ag.imports = [0.0] * s_traded
            ag.tariff_revenue = 0.0
        world_capacity = [sum(ag.capacity[s] for ag in self.traders) for s in range(s_traded)]
        pbar = []
        for s in range(s_traded):
            x = sum(ag.capacity[s] / world_capacity[s] * ag.price[s] for ag in self.traders) if world_capacity[s] else 0
            pbar.append(x if x > 0 else 1.0)
        for ag in self.traders:
            ag.set_prices(self.sigma, world_capacity, pbar)
        for ag in self.traders:
            ag.buy(self.sigma, world_capacity, pbar, self.a)
        return {
            "purchaser_price": np.array([ag.purchaser for ag in self.traders]),
            "sales": np.array([ag.sales for ag in self.traders]),
            "exports_sector": np.array([ag.exports for ag in self.traders]),
            "imports_sector": np.array([ag.imports for ag in self.traders]),
            "tariff": np.array([ag.tariff_revenue for ag in self.traders]),
        }


def model_trade(model) -> dict[str, np.ndarray]:
    """Run the model's own trade stage (after :func:`prepare`) and return the same quantities."""
    model._trade()
    st = model.view(0)
    return {
        "purchaser_price": st.purchaser_price.copy(),
        "sales": (st.output * st.price)[:, : model.s],
        "exports_sector": st.exports_sector.copy(),
        "imports_sector": st.imports_sector.copy(),
        "tariff": st.tariff.copy(),
    }


def max_relative_difference(ref: dict[str, np.ndarray], got: dict[str, np.ndarray]) -> dict[str, float]:
    """Largest |ref - got| of each quantity relative to the largest |ref| of that quantity;
    exports, imports and tariff revenue, which are differences of gross flows, relative to the
    largest sales (their round-off is that of the flows)."""
    scale_sales = float(np.max(np.abs(ref["sales"]))) or 1.0
    out = {}
    for k, r in ref.items():
        ok = np.isfinite(r)
        if k in ("exports_sector", "imports_sector", "tariff"):
            scale = scale_sales
        else:
            scale = float(np.max(np.abs(r[ok]), initial=0.0)) or 1.0
        out[k] = float(np.max(np.abs(r[ok] - got[k][ok]), initial=0.0)) / scale
    return out
