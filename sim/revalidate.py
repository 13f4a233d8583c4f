"""Validating a scenario document that differs from an already validated one in a few tables.

An event changes a few keys of a member's document; validating the whole document again (every
country and the world's tables) after each event of each member, and after each event when a
scenario's events are checked at load, dominated the run time of event-heavy files such as the
1980-2024 history (and so of calibrating it). Pydantic validates each table of a
:class:`~sim.schema.Scenario` on its own (nothing passes a validation context, and a validator of
a table sees only that table), so a ``simulation`` table, ``world`` table or country table equal to
the reference's validates to an object equal to the one the reference gave. :func:`validate_like`
therefore validates only the tables that differ and passes the others as the validated instances
(pydantic's default ``revalidate_instances='never'`` takes an instance of the right class as it
is); validators of the whole scenario, if any, still run.

Whenever the cheap path meets a problem it gives up and the caller validates the whole document
the usual way, so every error (its key path and wording) is exactly the one the full validation
reports. ``tests/test_revalidate.py`` checks that both paths give equal scenarios.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sim.schema import Scenario

TOP = ("simulation", "world", "country")
"""The tables a document without events holds (anything else goes through full validation)."""


def validate_like(
    doc: Mapping[str, Any], ref_doc: Mapping[str, Any], ref: Scenario
) -> tuple[dict[str, Any], Scenario] | None:
    """``Scenario.model_validate(plain_values(doc))`` computed from ``ref``
    (``Scenario.model_validate(ref_doc)``, ``ref_doc`` plain), re-validating only the tables of
    ``doc`` that differ from ``ref_doc``'s, and that plain document (holding ``doc``'s own tables
    where they are plain, so that the next document, which shares them, is compared by identity); None when that is not possible (other top-level keys,
    countries added, removed, renamed or reordered, events) or when a changed table does not
    validate, for the caller to validate ``doc`` in full.
    """
    from sim.scenario import plain_values

    if type(doc) is not dict or type(ref_doc) is not dict or list(doc) != list(ref_doc):
        return None
    if any(k not in TOP for k in doc):
        return None
    countries, ref_countries = doc.get("country"), ref_doc.get("country")
    if type(countries) is not list or type(ref_countries) is not list or len(countries) != len(ref_countries):
        return None
    if len(ref.country) != len(ref_countries):
        return None
    plain: dict[str, Any] = {}
    data: dict[str, Any] = {}
    for key in ("simulation", "world"):
        if key in doc:
            if same(doc[key], ref_doc[key]):
                plain[key], data[key] = doc[key], getattr(ref, key)
            else:
                plain[key] = data[key] = _plain(doc[key], plain_values)
    plain_countries: list[Any] = []
    new_countries: list[Any] = []
    for c, rc, model in zip(countries, ref_countries, ref.country, strict=True):
        if same(c, rc):
            plain_countries.append(c)
            new_countries.append(model)
            continue
        c = _plain(c, plain_values)
        if type(c) is not dict or type(rc) is not dict or c.get("name") != rc.get("name"):
            return None
        plain_countries.append(c)
        new_countries.append(c)
    plain["country"] = plain_countries
    data["country"] = new_countries
    try:
        scn = Scenario.model_validate(data)
    except Exception:  # noqa: BLE001 - the full validation reports it, with the document's key paths
        return None
    return {k: plain[k] for k in doc}, scn


def _plain(x: Any, plain_values: Any) -> Any:
    """``x`` itself if it holds plain values only, else its plain copy."""
    p = plain_values(x)
    return x if same(p, x) else p


class Like:
    """The last document validated through it and its (raw, not yet resolved) scenario: the
    reference :func:`validate_like` starts from. A cache only: it never changes a result.
    """

    __slots__ = ("doc", "scn")

    def __init__(self) -> None:
        self.doc: dict | None = None
        self.scn: Scenario | None = None

    def validate(self, doc: Mapping[str, Any]) -> Scenario | None:
        """``Scenario.model_validate(plain_values(doc))`` the cheap way, or None (then validate
        in full and :meth:`remember`). The tables of ``doc`` must not change afterwards.
        """
        if self.doc is None:
            return None
        got = validate_like(doc, self.doc, self.scn)
        if got is None:
            return None
        self.doc, self.scn = got
        return self.scn

    def remember(self, doc: Mapping[str, Any], scn: Scenario) -> None:
        """Make ``doc`` (plain, validated in full to ``scn``) the reference."""
        self.doc, self.scn = doc, scn


def same(a: Any, b: Any) -> bool:
    """Whether two plain documents are identical: equal, and of the same types all the way down
    (``1``, ``1.0`` and ``True`` are equal in Python but not to a strict schema), with keys in the
    same order (a validated table keeps its keys' order) and the same sign of zero.
    """
    if a is b:
        return True  # shared by copy on write (sim.events.apply_params)
    t = type(a)
    if t is not type(b):
        return False
    if t is dict:
        if len(a) != len(b):
            return False
        for (k, v), (k2, v2) in zip(a.items(), b.items(), strict=True):
            if k != k2 or type(k) is not type(k2):
                return False
            if v is v2:
                continue
            tv = type(v)
            if tv is not type(v2):
                return False
            if tv is float:
                if v != v2 or (v == 0.0 and math.copysign(1.0, v) != math.copysign(1.0, v2)):
                    return False
            elif tv is str or tv is int or tv is bool:
                if v != v2:
                    return False
            elif not same(v, v2):
                return False
        return True
    if t is list:
        return len(a) == len(b) and all(same(v, v2) for v, v2 in zip(a, b, strict=True))
    if t is float:
        return a == b and (a != 0.0 or math.copysign(1.0, a) == math.copysign(1.0, b))
    return t in (str, int, bool, type(None)) and a == b
