"""Running many (scenario, seed) tasks and keeping their results: the layer under
``tradesim compare`` and ``tradesim sweep``.

- :mod:`sim.batch.task`: :class:`Task` and its deterministic id; :func:`derive_seed`.
- :mod:`sim.batch.worker`: :func:`run_task`, what a worker process runs.
- :mod:`sim.batch.store`: :class:`ParquetStore` (kill-safe part-files) and :class:`MemoryStore`.
- :mod:`sim.batch.executor`: :func:`execute` — in-process, local worker processes or Dask.
- :mod:`sim.batch.documents`: base scenarios and key-path overrides in experiment and sweep files.
"""

from __future__ import annotations

from sim.batch.executor import BatchSummary, default_workers, execute
from sim.batch.store import MemoryStore, ParquetStore
from sim.batch.task import Task, derive_seed, make_task
from sim.batch.worker import run_task

__all__ = [
    "BatchSummary",
    "MemoryStore",
    "ParquetStore",
    "Task",
    "default_workers",
    "derive_seed",
    "execute",
    "make_task",
    "run_task",
]
