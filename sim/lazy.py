"""Package exports imported on first use (PEP 562), shared by the optional packages.

``sim.analysis``, ``sim.experiment`` and ``sim.sweep`` export names from their modules lazily, so
that ``tradesim --help`` and the other commands do not pay for those packages' dependencies
(scipy.stats, SALib, statsmodels) unless they use them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for a package exporting ``name -> module``."""
    namespace = importlib.import_module(package).__dict__

    def getattr_(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted({*namespace, *exports})

    return getattr_, dir_, sorted(exports)
