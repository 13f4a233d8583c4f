"""Tasks: one (scenario document, seed) run and the metrics to compute from it.

A task's id is a hash of everything that decides its result — the raw scenario document, the
overrides, the seed, the metrics, whether series are returned, the package version and a
fingerprint of the model's source code (:mod:`sim.fingerprint`, shared with single runs) — so a
finished task found in a store is exactly the task asked for, and editing the model or the file
never reuses a stale result.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from sim.fingerprint import code_fingerprint, package_version
from sim.metrics import Metric

# one version and fingerprint for single runs and batches (sim.fingerprint); _version is the
# name the batch modules import
_version = package_version


def canonical(obj: Any) -> str:
    """Stable JSON text of a document (sorted keys; non-JSON values as text)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def document_hash(doc: Any) -> str:
    """sha256 hex digest of a document's canonical JSON."""
    return hashlib.sha256(canonical(doc).encode()).hexdigest()


def derive_seed(master: int, index: int) -> int:
    """The model seed of run ``index`` of a batch whose master seed is ``master``.

    Derived with NumPy's SeedSequence, so seeds are well spread, independent of how many runs
    there are, and the same on every machine: a value in [0, 2**63).
    """
    state = np.random.SeedSequence(entropy=int(master), spawn_key=(int(index),)).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1]))


@dataclass(frozen=True)
class Task:
    """One run: the raw scenario document, overrides and seed, and what to compute from it.

    Attributes:
        id: the task id (see the module docstring).
        document: the raw scenario document (defaults are derived from it when it loads, so
            overrides apply to the file as written, not to a resolved copy).
        overrides: key path -> value, applied to the document before the seed.
        seed: the model seed (``simulation.seed``).
        metrics: the metrics to compute.
        series: also return the per-tick series the metrics aggregate.
        code: the code fingerprint the id was made with (a worker with other code refuses).
    """

    id: str
    document: dict[str, Any] = field(repr=False)
    overrides: dict[str, Any]
    seed: int
    metrics: tuple[Metric, ...] = field(repr=False)
    series: bool = False
    code: str = ""


@lru_cache(maxsize=64)
def _metrics_key(metrics: tuple[Metric, ...]) -> str:
    return canonical([m.as_dict() for m in metrics])


def make_task(
    document: dict[str, Any],
    seed: int,
    metrics: tuple[Metric, ...] | list[Metric],
    *,
    overrides: dict[str, Any] | None = None,
    series: bool = False,
    doc_hash: str | None = None,
) -> Task:
    """Build a task and its id (pass ``doc_hash`` to avoid rehashing a shared document)."""
    overrides = dict(overrides or {})
    metrics = tuple(metrics)
    key = [
        doc_hash or document_hash(document),
        overrides,
        int(seed),
        _metrics_key(metrics),
        bool(series),
        _version(),
        code_fingerprint(),
    ]
    tid = hashlib.sha256(canonical(key).encode()).hexdigest()[:20]
    return Task(tid, document, overrides, int(seed), metrics, bool(series), code_fingerprint())
