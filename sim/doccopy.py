"""A fast copy of a raw scenario document (nested dicts and lists of plain values).

``copy.deepcopy`` walks every value through its memo dictionary; a scenario document is a tree of
dicts and lists over numbers and strings, so copying its containers and sharing its immutable
values gives an equal, independent document several times faster. Anything else inside (a NumPy
array a Python caller passed, say) still goes through ``copy.deepcopy``.
"""

from __future__ import annotations

import copy
from typing import Any

ATOMIC = frozenset({str, int, float, bool, type(None)})
"""The immutable value types of a plain document (shared, never copied)."""


def copy_tree(x: Any) -> Any:
    """An independent copy of a document: new dicts and lists, immutable values shared."""
    t = type(x)
    if t is dict:
        return {k: v if type(v) in ATOMIC else copy_tree(v) for k, v in x.items()}
    if t is list:
        return [v if type(v) in ATOMIC else copy_tree(v) for v in x]
    if t in ATOMIC:
        return x
    return copy.deepcopy(x)


def own_path(doc: dict, path: str, owned: set[int]) -> None:
    """Make every table on a key path of ``doc`` (``doc`` itself must already be private) a
    private copy, so that setting the path in place changes no document ``doc`` shares tables
    with (copy on write). ``owned`` holds the ids of the tables already copied. Countries are
    found by name as :func:`sim.scenario.set_path` finds them; a path that leads nowhere is left
    for ``set_path`` to report.
    """

    def own(container: Any, key: Any) -> Any:
        v = container[key]
        if id(v) in owned:
            return v
        if type(v) is dict:
            v = dict(v)
        elif type(v) is list:
            v = list(v)
        elif isinstance(v, (dict, list)):
            v = copy.deepcopy(v)  # an unusual container: a private copy of all of it
        else:
            return None
        container[key] = v
        owned.add(id(v))
        return v

    parts = path.split(".") if isinstance(path, str) else []
    if not parts or not isinstance(doc.get(parts[0]), (dict, list)):
        return
    node = own(doc, parts[0])
    rest = parts[1:]
    if parts[0] == "country":
        if type(node) is not list or len(parts) < 2:
            return
        for i, c in enumerate(node):
            if isinstance(c, dict) and c.get("name") == parts[1]:
                node = own(node, i)
                break
        else:
            return
        rest = parts[2:]
    for part in rest[:-1]:
        if not isinstance(node, dict) or part not in node:
            return
        node = own(node, part)
        if node is None:
            return
