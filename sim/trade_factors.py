"""The trade factors each member prices with, and the groups of members that share them.

A member's effective trade policy is its scenario's schedule (trade costs ``tau``, tariffs,
openness and elasticities ``sigma``), raised to the retaliatory tariffs in force
(``state.retaliation``), with openness scaled by the announcement pull-forward (buyers bring
purchases forward from origins facing an announced tariff rise). The market's factors
(:func:`sim.market.build_factors`) are rebuilt only when that policy changes, and cached by
digest (members usually share a few policies). Members that use the same factors are grouped
(``model._groups``): the market kernel runs once per group, or once for all members when their
factors differ but can be stacked (:func:`stackable`).

What the model carries: ``model._factor_key``, ``model._member_factors``,
``model._tariff_in_force``, ``model.mean_tariff`` and ``model._tariff_avg`` (per member),
``model._factor_cache``, ``model._pull`` and ``model._groups``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from sim import market
from sim.members import array_digest
from sim.results import _mean_tariff

if TYPE_CHECKING:
    from sim.model import TradeModel

STACK_BYTES = 256 << 20
"""Largest stacked factor array (bytes) built for members whose factors differ."""


def refresh(model: TradeModel, members: Iterable[int]) -> None:
    """Build the cached trade factors of these members from their effective trade policy —
    the scenario's schedule, retaliatory tariffs and announcement pull-forward — where it
    has changed. Members with the same policy share one set of factors.
    """
    changed = False
    st = getattr(model, "state", None)
    model.mean_tariff = model.mean_tariff.copy()  # the recorder may hold the tick's array
    for r in members:
        tau, tariff, open_ = model._policy[r]
        if st is not None and st.retaliation[r].any():
            tariff = np.maximum(tariff, st.retaliation[r][None, :, :])
        pull = model._pull[r]
        open_ = open_ * pull if pull is not None else open_
        sigma = model.wp.sigma[r]
        key = (tau, tariff, open_, sigma)
        old = model._factor_key[r]
        if old is not None and all(x is y or np.array_equal(x, y) for x, y in zip(old, key, strict=True)):
            continue
        digest = array_digest(tau, tariff, open_, sigma)
        f = model._factor_cache.get(digest)
        if f is None:
            f = market.build_factors(tau, tariff, open_, sigma)
            f.tariff_in_force = tariff
            f.mean_tariff = _mean_tariff(tariff)
            f.tariff_avg = tariff.mean(axis=0) if model._retaliates else None
            if len(model._factor_cache) < 64:  # members usually share a few policies
                model._factor_cache[digest] = f
        # references, not copies: these arrays are replaced, never mutated
        model._factor_key[r] = key
        model._member_factors[r] = f
        model._tariff_in_force[r] = f.tariff_in_force
        model.mean_tariff[r] = f.mean_tariff
        if model._tariff_avg is not None:
            model._tariff_avg[r] = f.tariff_avg if f.tariff_avg is not None else tariff.mean(axis=0)
        changed = True
    if changed:
        regroup(model)


def regroup(model: TradeModel) -> None:
    """Group the members by the trade factors they use (one market call per group)."""
    groups: dict[int, list[int]] = {}
    objs: dict[int, market.TradeFactors] = {}
    for r, f in enumerate(model._member_factors):
        groups.setdefault(id(f), []).append(r)
        objs[id(f)] = f
    if len(groups) == 1:
        (k,) = groups
        model._groups = [(objs[k], slice(None))]
    elif stackable(model, objs.values()):
        # members with different trade costs or elasticities but no tariffs, controls or
        # Cobb-Douglas sectors: one stacked (R, S, N, N) factor array, one market call
        fs = model._member_factors
        stacked = market.TradeFactors(
            F=np.stack([f.F for f in fs]),
            G=None,
            sigma=np.stack([f.sigma for f in fs]),
            blocked=np.zeros((0, 3), dtype=np.int64),
            blocked_share=np.zeros(0),
        )
        model._groups = [(stacked, slice(None))]
    else:
        model._groups = [(objs[k], np.array(v)) for k, v in groups.items()]


def stackable(model: TradeModel, factors: Iterable[market.TradeFactors]) -> bool:
    """Whether members' differing factors can be stacked into one array: plain factors (no
    tariffs, no blocked cells, no Cobb-Douglas sector) that fit in :data:`STACK_BYTES`.
    """
    if model.R * model.s * model.n * model.n * 8 > STACK_BYTES:
        return False
    return all(
        f.G is None and f.tariff_cells is None and not f.blocked.size and not f.cobb_douglas.size for f in factors
    )


def update_pull(model: TradeModel) -> None:
    """Buyers pull purchases forward from origins facing an announced tariff rise: openness to
    those cells is raised by ``world.policy.pull_forward`` from the announcement to the event's
    tick; members whose pull changed get new factors.
    """
    moved = []
    for r, windows in enumerate(model._announced):
        if not windows:
            continue
        pull = np.ones_like(model._policy[r][2])
        for first, start, cells in windows:
            if first <= model.tick < start:
                pull[cells] = 1.0 + model.specs[r].world.policy.pull_forward
        pull = None if np.all(pull == 1.0) else pull
        old = model._pull[r]
        if (pull is None) != (old is None) or (pull is not None and not np.array_equal(pull, old)):
            model._pull[r] = pull
            moved.append(r)
    if moved:
        refresh(model, moved)
