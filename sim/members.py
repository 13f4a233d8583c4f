"""Per-member parameters of an ensemble: each scenario number as an (R, 1) array, one row a member.

An ensemble is R members of one world (the same countries, sectors and clock) that may differ in
their seeds and in any parameter a sweep, an experiment or an event can set. The stage functions
take these arrays where a single world took numbers; a member's row holds exactly the number its
own scenario gives, so its arithmetic is the arithmetic of its single run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from types import SimpleNamespace
from typing import Any

import numpy as np

from sim import development
from sim.country import CountryArrays
from sim.errors import ScenarioError
from sim.scenario import input_matrix
from sim.schema import Scenario

SECTIONS = ("prices", "demand", "finance", "exchange_rate", "development", "policy")
"""The ``[world.<section>]`` tables whose numbers are stacked per member."""

SHARED = (
    "simulation.ticks",
    "simulation.tick_length",
    "simulation.responses",
    "simulation.log_every",
    "simulation.bilateral_every",
    "world.development.relocation_sector",
    "world.development.upgrade_sector",
)
"""Settings every member of an ensemble must share besides its countries, sectors and reserve
issuers (the clock, the logging, and the sectors named by the relocation mechanism); the batch
layer puts runs that differ in them into different ensembles."""


def shape_key(spec: Scenario) -> tuple:
    """What members of one ensemble must have in common (see :data:`SHARED`)."""
    sim, dev = spec.simulation, spec.world.development
    return (
        tuple(spec.names),
        tuple(spec.all_sectors),
        tuple(spec.traded),
        tuple(spec.world.reserve_issuers or spec.names[:1]),
        sim.ticks,
        sim.tick_length,
        sim.responses,
        sim.log_every,
        sim.bilateral_every,
        dev.relocation_sector,
        dev.upgrade_sector,
    )


def check_same_shape(specs: list[Scenario]) -> None:
    """Raise a ScenarioError if the members' worlds differ in shape, clock or logging."""
    first = shape_key(specs[0])
    labels = ("country names", "sectors", "traded sectors", "reserve issuers", *SHARED)
    for r, spec in enumerate(specs[1:], start=1):
        key = shape_key(spec)
        if key != first:
            what = next(lab for lab, a, b in zip(labels, first, key, strict=True) if a != b)
            raise ScenarioError(
                "<ensemble>",
                [(f"member {r}", f"{what} differ from member 0's; the members of an ensemble share them")],
            )


def _stack(values: list[Any]) -> np.ndarray | list:
    v0 = values[0]
    if isinstance(v0, bool):
        return np.array(values, dtype=bool)[:, None]
    if isinstance(v0, (int, float)):
        return np.array(values, dtype=float)[:, None]
    if isinstance(v0, (list, tuple)):
        return np.array(values, dtype=float)
    return list(values)


def world_knobs(specs: list[Scenario]) -> SimpleNamespace:
    """``knobs.<section>.<name>``: (R, 1) numbers (bools as bool), (R, k) lists, lists of strings."""
    out = {}
    for sec in SECTIONS:
        models = [getattr(s.world, sec) for s in specs]
        fields = type(models[0]).model_fields
        out[sec] = SimpleNamespace(**{name: _stack([getattr(m, name) for m in models]) for name in fields})
    return SimpleNamespace(**out)


def set_knobs(knobs: SimpleNamespace, r: int, spec: Scenario) -> None:
    """Write member r's values (after an event) into the stacked knobs."""
    for sec in SECTIONS:
        model = getattr(spec.world, sec)
        ns = getattr(knobs, sec)
        for name, arr in vars(ns).items():
            value = getattr(model, name)
            if isinstance(arr, list):
                arr[r] = value
            elif arr.ndim == 2 and arr.shape[1] == 1:
                arr[r, 0] = value
            else:
                arr[r] = value


def copy_row(obj: Any, to: int, frm: int, skip: tuple[str, ...] = ()) -> None:
    """Copy row ``frm`` into row ``to`` of every per-member array (or list) held by ``obj``."""
    for name, v in vars(obj).items():
        if name in skip:
            continue
        if isinstance(v, np.ndarray) and v.ndim >= 1:
            v[to] = v[frm]
        elif isinstance(v, SimpleNamespace):
            copy_row(v, to, frm)
        elif isinstance(v, list) and len(v) > max(to, frm):
            v[to] = v[frm]


@dataclass
class WorldParams:
    """World parameters of each member as arrays with a leading member axis, rebuilt at set-up
    and after events: (R, 1) for numbers, (R, S), (R, S1), (R, S1, S1) for arrays. ``dt`` is
    shared (members share their clock).
    """

    dt: float
    sigma: np.ndarray
    sigma_hat: np.ndarray
    budget: np.ndarray
    a: np.ndarray
    markup: np.ndarray
    gamma: np.ndarray
    rho: np.ndarray
    theta: np.ndarray
    adjustment: np.ndarray
    noise_phi: np.ndarray  # (R, 1, 1) per-tick AR(1) coefficient of the noise
    noise_scale: np.ndarray  # (R, 1, 1) per-tick scale of its shocks
    noise_jitter: np.ndarray  # (R, 1, 1) per-tick sd of the noise's jitter (0 with annual ticks)
    income_elasticity: np.ndarray  # (R, S1) Engel elasticities of final spending
    reallocation: np.ndarray  # (R, 1) speed per year at which workers move between sectors

    @classmethod
    def from_specs(cls, specs: list[Scenario]) -> WorldParams:
        """Derive per-tick gains from each member's annual parameters."""
        rows = [cls._row(scn) for scn in specs]
        kw = {"dt": specs[0].dt}
        for name in rows[0]:
            kw[name] = np.stack([np.asarray(r[name], dtype=float) for r in rows])
        for name in ("sigma_hat", "markup", "gamma", "rho", "theta", "adjustment", "reallocation"):
            kw[name] = kw[name][:, None]
        kw["noise_phi"] = kw["noise_phi"][:, None, None]
        kw["noise_scale"] = kw["noise_scale"][:, None, None]
        kw["noise_jitter"] = kw["noise_jitter"][:, None, None]
        return cls(**kw)

    @staticmethod
    def _row(scn: Scenario) -> dict[str, Any]:
        w = scn.world
        sigma = np.array([w.elasticity[s] for s in scn.traded], dtype=float)
        dev = w.development
        phi, scale, jitter = development.noise_coefficients(dev.noise_persistence, dev.noise_sd, scn.dt)
        return {
            "sigma": sigma,
            "sigma_hat": max(1.0, float(sigma.max())),
            "budget": np.array([w.budget_shares[s] for s in scn.all_sectors]),
            "a": input_matrix(scn),
            "markup": w.prices.markup,
            "gamma": w.prices.price_response,
            "rho": w.prices.price_adjustment,
            "theta": w.prices.wage_response,
            "adjustment": w.exchange_rate.adjustment,
            "noise_phi": phi,
            "noise_scale": scale,
            "noise_jitter": jitter,
            "income_elasticity": np.array([w.structure.income_elasticity[s] for s in scn.all_sectors]),
            "reallocation": w.structure.reallocation_speed,
        }

    def set_member(self, r: int, scn: Scenario) -> None:
        """Write member r's parameters (after an event)."""
        for name, value in self._row(scn).items():
            getattr(self, name)[r] = value


def stack_country_arrays(rows: list[CountryArrays]) -> CountryArrays:
    """Member-stacked country arrays; issuer_index is shared, trade policy is kept per member."""
    kw = {}
    for f in fields(CountryArrays):
        if f.name in ("tau", "tariff", "open_"):
            kw[f.name] = None
        elif f.name == "issuer_index":
            kw[f.name] = rows[0].issuer_index
        else:
            kw[f.name] = np.stack([getattr(r, f.name) for r in rows])
    return CountryArrays(**kw)


def set_country_row(stacked: CountryArrays, r: int, row: CountryArrays) -> None:
    """Write member r's country arrays (after an event) into the stacked arrays."""
    for f in fields(CountryArrays):
        if f.name not in ("tau", "tariff", "open_", "issuer_index"):
            getattr(stacked, f.name)[r] = getattr(row, f.name)


def array_digest(*arrays: np.ndarray) -> bytes:
    """A 16-byte hash of arrays' shapes and bytes: members with equal digests share trade factors."""
    h = hashlib.blake2b(digest_size=16)
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.digest()
