"""Package exports imported on first use (PEP 562), shared by the optional packages.

``sim.analysis``, ``sim.experiment`` and ``sim.sweep`` export names from their modules lazily, so
that ``tradesim --help`` and the other commands do not pay for those packages' dependencies
(scipy.stats, SALib, statsmodels) unless they use them.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any


class _Package(types.ModuleType):
    """A package whose exports win over its submodules of the same name.

    Importing a submodule sets the package attribute of that name to the module
    (``sim.sweep.design`` the module would replace ``sim.sweep.design`` the function), so which one
    ``from sim.sweep import design`` gave depended on what had been imported before.
    """

    _lazy_exports: Mapping[str, str] = {}

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in self._lazy_exports:
            return  # the submodule stays reachable through sys.modules and import statements
        super().__setattr__(name, value)


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for a package exporting ``name -> module``."""
    module_object = sys.modules[package]
    module_object.__class__ = _Package
    object.__setattr__(module_object, "_lazy_exports", dict(exports))
    namespace = module_object.__dict__

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
