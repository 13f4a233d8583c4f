"""How long a batch of runs will take, from one timed run (for ``--dry-run``).

The first task of the batch runs here, in full (model, metrics), and its time is scaled by the
runs still to do and the workers. It is an estimate: runs at other design points may be faster or
slower, and starting worker processes, writing and a busy machine add to it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sim.batch.task import Task


def estimate_seconds(tasks: Sequence[Task], workers: int | None) -> tuple[float, int]:
    """(estimated wall-clock seconds, workers assumed) to run ``tasks``; runs the first one."""
    from sim.batch.executor import default_workers
    from sim.batch.worker import run_task

    used = max(1, workers or default_workers())
    if not tasks:
        return 0.0, used
    t0 = time.perf_counter()
    run_task(tasks[0])
    per_run = time.perf_counter() - t0
    waves = -(-len(tasks) // used)  # runs are spread evenly over the workers
    return waves * per_run, used


def describe_time(seconds: float, workers: int) -> str:
    """``about 30 s on 2 workers`` (rounded: it is an estimate)."""
    if seconds < 90:
        text = f"about {max(1, round(seconds))} s"
    elif seconds < 5400:
        text = f"about {round(seconds / 60)} min"
    else:
        text = f"about {seconds / 3600:.1f} h"
    return f"{text} on {workers} worker{'s' if workers != 1 else ''}"
