"""A fast copy of a raw scenario document (nested dicts and lists of plain values).

``copy.deepcopy`` walks every value through its memo dictionary; a scenario document is a tree of
dicts and lists over numbers and strings, so copying its containers and sharing its immutable
values gives an equal, independent document several times faster. Anything else inside (a NumPy
array a Python caller passed, say) still goes through ``copy.deepcopy``.
"""

from __future__ import annotations

import copy
from typing import Any

_ATOMIC = frozenset({str, int, float, bool, type(None)})


def copy_tree(x: Any) -> Any:
    """An independent copy of a document: new dicts and lists, immutable values shared."""
    t = type(x)
    if t is dict:
        return {k: v if type(v) in _ATOMIC else copy_tree(v) for k, v in x.items()}
    if t is list:
        return [v if type(v) in _ATOMIC else copy_tree(v) for v in x]
    if t in _ATOMIC:
        return x
    return copy.deepcopy(x)
