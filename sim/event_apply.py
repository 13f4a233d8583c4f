"""Applying scheduled events to a running ensemble: the tick's parameter, state and
realignment operations of each member (what the operations mean is :mod:`sim.events`), and the
announcement windows during which buyers pull purchases forward.

These functions act on the model's members in place; :class:`sim.model.TradeModel` calls them
from thin hooks (``_apply_events`` at the start of a tick, ``_announcement_windows`` at set-up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import events
from sim.country import country_arrays
from sim.errors import SimulationError
from sim.scenario import load_scenario
from sim.schema import Scenario

if TYPE_CHECKING:
    from sim.model import TradeModel


def announcement_windows(spec: Scenario, doc: dict, names: list[str]) -> list[tuple[int, int, np.ndarray]]:
    """(first tick, event tick, cells) for each event announced ahead whose tariffs rise.

    ``doc`` is the member's resolved document without events; ``cells`` is the (S, N, N) mask
    of the tariffs (fractions) the event raises.
    """
    out = []
    if not any(ev.announce_ticks > 0 for ev in spec.event):
        return out
    doc = dict(doc)
    before = country_arrays(spec)
    for ev in sorted(spec.event, key=lambda e: e.tick):
        doc = events.apply_params(doc, ev, names)
        after = country_arrays(load_scenario(doc, file="<event>", horizon=False))
        if ev.announce_ticks > 0:
            cells = after.tariff > before.tariff
            if cells.any():
                out.append((max(0, ev.tick - ev.announce_ticks), ev.tick, cells))
        before = after
    return out


def apply_events(model: TradeModel) -> None:
    """Apply this tick's events of each member of ``model``: parameters through its spec
    (revalidated incrementally against the member's last document, :mod:`sim.revalidate`),
    state levels, labor shares and realignments directly on its state rows. A member whose
    state shock breaks its economy is failed (``model._fail``).
    """
    touched = np.zeros(model.R, dtype=bool)
    for r in range(model.R):
        todays = model._events[r].get(model.tick, [])
        if not (todays or model._temporary[r]):
            continue
        doc = model._docs[r]
        for ev in todays:
            doc = events.apply_params(doc, ev, model.names)
            if ev.years is not None and events.has_param_shocks(ev):
                model._temporary[r].append(ev)
        model._docs[r] = doc
        for ev in model._temporary[r]:
            share = events.strength((model.tick - ev.tick) * model.wp.dt, ev.years, ev.half_life)
            doc = events.apply_params(doc, ev, model.names, permanent=False, temporary_share=share)
        model._temporary[r] = [
            ev
            for ev in model._temporary[r]
            if events.last_tick(ev.tick, ev.years, ev.half_life, model.wp.dt) > model.tick
        ]
        spec = load_scenario(doc, file="<event>", horizon=False, like=model._like[r])
        model._reconfigure(r, spec)
        touched[r] = True
        if r == model.focus:
            for agent, c in zip(model.countries, spec.country, strict=True):
                agent.spec = c
        for ev in todays:
            for i, shares in events.labor_shares_set(ev, spec, model.names, model.sectors):
                model.state.alloc[r, i] = shares
            move = events.realignment(ev, model.names, model.anchor, model.tick, model.wp.dt)
            if move is not None:
                moved, end, drift = move
                model._realign_end[r, moved] = end
                model._realign_drift[r, moved] = drift
            model._shocks[r] += events.state_shocks(ev, model.tick, model.names, model.sectors)
    if touched.any():
        model._refresh_factors(np.flatnonzero(touched))
        model._set_regime()
        model._apply_undervaluation(touched)
    for r in range(model.R):
        if model._shocks[r]:
            try:
                model._shocks[r] = events.apply_state_shocks(
                    model._shocks[r], model.state, r, model.tick, model.wp.dt, model.names
                )
            except SimulationError as err:
                model._fail(r, err)
    if (model._realign_end == model.tick).any():
        model._set_regime()
