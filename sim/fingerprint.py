"""What identifies the code a result was computed with: the package version and a fingerprint
of the source of every module that can change a run's numbers.

Single runs (``sim.runner``: the run id and manifest) and batches (``sim.batch``: task ids,
worker checks, sweep and experiment manifests) use these same two functions, so an edit to the
model never lets either reuse a result computed before it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

# Modules that only orchestrate batches, parse commands or draw: editing them cannot change a
# run's numbers, so they are left out of the code fingerprint.
_NOT_RESULTS = (
    "cli.py",
    "overview.py",
    "keyref.py",
    "experiment/",
    "sweep/",
    "calibrate/",
    "viz/",
    "batch/executor.py",
    "batch/store.py",
)


@lru_cache(maxsize=1)
def package_version() -> str:
    """The installed version of tradesim (or the source tree's if not installed)."""
    try:
        return metadata.version("tradesim")
    except metadata.PackageNotFoundError:
        from sim import __version__

        return __version__


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """16 hex digits of the source of every module of this package that can change a run's
    numbers (read once per process: a process keeps the code it imported).
    """
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if any(rel == x or rel.startswith(x) for x in _NOT_RESULTS):
            continue
        h.update(rel.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]
