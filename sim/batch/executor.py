"""Run many tasks: in this process, in local worker processes, or on a Dask cluster.

:func:`execute` skips tasks already in the store, runs the rest in blocks — the tasks of a block
step together as one ensemble (:mod:`sim.members`), which amortises NumPy's per-call overhead
over the block — and records each result as its block finishes (a task that raises is recorded
with its error and the batch goes on). Whatever runs them — one process, several, or a Dask
cluster, in blocks of any size — a task's result depends only on the task, so the stored
numbers are the same.

Ctrl-C or SIGTERM stops the batch after writing every finished result; running the same batch
again runs only what is missing.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from tqdm.auto import tqdm

from sim.batch.task import Task
from sim.batch.worker import run_block, worker_identity
from sim.errors import TradesimError
from sim.process import exit_with


@dataclass
class BatchSummary:
    """What :func:`execute` did.

    Attributes:
        total: distinct tasks asked for.
        found: of those, already finished in the store.
        ran: run now.
        failed: of those run now, how many raised.
        seconds: wall time of this call.
        where: ``in-process``, ``N local workers`` or the Dask scheduler address.
        block: the most tasks a block held (they ran as one ensemble).
    """

    total: int
    found: int
    ran: int
    failed: int
    seconds: float
    where: str
    block: int = 1

    @property
    def runs_per_minute(self) -> float:
        """Runs finished per minute of wall time in this call."""
        return 60.0 * self.ran / self.seconds if self.seconds > 0 else float("nan")


def default_workers() -> int:
    """Worker processes used when none are asked for: the usable cores."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


MAX_BLOCK = 1024
"""Largest default block: beyond about a thousand members a small world's tick costs no less
per member (benchmarks/ensemble.py)."""

BLOCK_MEMORY = 1 << 30
"""Bytes a default block's recorder buffers may take (1 GiB), so a worker stays within 2 GB."""


def member_bytes(task: Task) -> int:
    """Estimated memory of one member of a block running this task: its recorder buffers (the
    logged rows and bilateral flows) and its state, in bytes.
    """
    from sim.scenario import apply_overrides, load_scenario

    spec = load_scenario(apply_overrides(task.document, task.overrides, file="<task>"))
    sim = spec.simulation
    n, s = len(spec.names), len(spec.traded)
    s1, k = s + 1, len(spec.world.reserve_issuers or spec.names[:1])
    rows = sim.ticks // sim.log_every + 2
    row = 40 * n + 9 * n * s1 + 3 * n * s + n * k + 1
    flows = (sim.ticks // sim.bilateral_every + 1) * (s * n * n + s * n) if sim.bilateral_every else 0
    state = 90 * n * s1 + n * n
    return 8 * (rows * row + flows + state)


def default_block(todo: Sequence[Task], workers: int) -> int:
    """Tasks per block when none is asked for: at most :data:`MAX_BLOCK`, within
    :data:`BLOCK_MEMORY`, and small enough to give every worker at least two blocks.
    """
    if not todo:
        return 1
    try:
        per = member_bytes(todo[0])
    except Exception:  # the task's own run will report the problem
        per = 1 << 20
    fit = max(1, BLOCK_MEMORY // max(per, 1))
    spread = -(-len(todo) // (2 * max(workers, 1)))
    return int(max(1, min(MAX_BLOCK, fit, spread)))


def blocks_of(todo: Sequence[Task], size: int) -> list[list[Task]]:
    """Consecutive blocks of at most ``size`` tasks that share their scenario document."""
    groups: dict[int, list[Task]] = {}
    for t in todo:
        groups.setdefault(id(t.document), []).append(t)
    return [g[i : i + size] for g in groups.values() for i in range(0, len(g), size)]


def execute(
    tasks: Sequence[Task],
    store: Any,
    *,
    workers: int | None = None,
    dask: str | None = None,
    progress: bool = False,
    retry_failed: bool = False,
    desc: str = "runs",
    dask_timeout: float = 10.0,
    block: int | None = None,
) -> BatchSummary:
    """Run every task not yet in ``store`` and record the results there.

    Args:
        tasks: the tasks (duplicates by id run once).
        store: a :class:`sim.batch.store.ParquetStore` or :class:`MemoryStore`.
        workers: local worker processes (None: every usable core; 1: in this process).
        dask: a Dask scheduler address (``tcp://host:port``); ``workers`` is then ignored.
        progress: show a tqdm bar (runs done, runs/s, ETA).
        retry_failed: run again the tasks whose stored result is an error.
        desc: the bar's label.
        dask_timeout: seconds to wait for the Dask scheduler to answer.
        block: tasks per block (None: :func:`default_block`; 1: every task alone).

    Returns:
        A :class:`BatchSummary`.

    Raises:
        TradesimError: the Dask scheduler cannot be reached, its workers run other code, or a
            local worker process died.
        KeyboardInterrupt: on Ctrl-C or SIGTERM, after every finished result was written.
    """
    t0 = time.perf_counter()
    unique: dict[str, Task] = {}
    for t in tasks:
        unique.setdefault(t.id, t)
    done = store.done_ids(retry_failed=retry_failed)
    todo = [t for tid, t in unique.items() if tid not in done]
    found = len(unique) - len(todo)
    if workers is not None and workers < 1:
        raise TradesimError(f"--workers must be at least 1, not {workers}")
    n_workers = min(workers or default_workers(), max(1, len(todo)))
    if block is not None and block < 1:
        raise TradesimError(f"--block must be at least 1, not {block}")
    size = block or default_block(todo, 4 if dask else n_workers)
    blocks = blocks_of(todo, size)
    where = dask or ("in-process" if n_workers == 1 else f"{n_workers} local workers")
    failed = 0
    bar = tqdm(
        total=len(unique),
        initial=found,
        unit="run",
        desc=desc,
        disable=not progress,
        dynamic_ncols=True,
        smoothing=0.05,
        file=sys.stderr,
    )

    def record(result: dict[str, Any]) -> None:
        nonlocal failed
        store.add(result)
        if result["status"] != "ok":
            failed += 1
            bar.set_postfix(failed=failed, refresh=False)
        bar.update(1)

    previous = _sigterm_as_interrupt()
    try:
        if todo:
            if dask:
                _run_dask(blocks, dask, record, timeout=dask_timeout)
            elif n_workers == 1:
                for b in blocks:
                    for result in run_block(b):
                        record(result)
            else:
                _run_pool(blocks, n_workers, record)
    finally:
        bar.close()
        store.flush()
        _restore_sigterm(previous)
    return BatchSummary(len(unique), found, len(todo), failed, time.perf_counter() - t0, where, size)


# ----------------------------------------------------------------------------- signals


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _sigterm_as_interrupt() -> Any:
    """Treat SIGTERM like Ctrl-C while a batch runs (main thread only), so results are written."""
    try:
        return signal.signal(signal.SIGTERM, _raise_interrupt)
    except ValueError:  # not the main thread
        return None


def _restore_sigterm(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def _init_worker(parent: int) -> None:
    """Worker initializer: Ctrl-C is handled by the parent, which stops the pool; the worker
    ends when the parent ends, even if it was killed and could not stop the pool.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    exit_with(parent)


# ----------------------------------------------------------------------------- local processes


def _context() -> multiprocessing.context.BaseContext:
    """Forkserver where available (workers fork from a server that already imported tradesim),
    spawn otherwise; never plain fork, which is unsafe with threads.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # the model and the metric modules too: each pool's workers would otherwise import them
        # again (about half a second per worker per batch; a calibration starts tens of pools)
        ctx.set_forkserver_preload(["sim.batch.worker", "sim.model", "sim.history.fact_arrays"])
        return ctx
    return multiprocessing.get_context("spawn")


def _run_pool(blocks: list[list[Task]], workers: int, record: Callable[[dict[str, Any]], None]) -> None:
    it: Iterator[list[Task]] = iter(blocks)
    pending: dict[Future, list[Task]] = {}
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=_init_worker, initargs=(os.getpid(),)
    ) as pool:
        try:

            def fill() -> None:
                while len(pending) < 2 * workers:
                    b = next(it, None)
                    if b is None:
                        return
                    pending[pool.submit(run_block, b)] = b

            fill()
            while pending:
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for fut in finished:
                    pending.pop(fut)
                    for result in fut.result():
                        record(result)
                fill()
        except BrokenProcessPool:
            pool.shutdown(wait=False, cancel_futures=True)
            raise TradesimError(
                "a worker process died (out of memory, or killed); finished runs are kept: run the same command again"
            ) from None
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


# ----------------------------------------------------------------------------- Dask


def _run_dask(
    blocks: list[list[Task]], address: str, record: Callable[[dict[str, Any]], None], *, timeout: float
) -> None:
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise TradesimError("--dask needs dask[distributed]: pip install 'tradesim[dask]'") from None
    try:
        client = Client(address, timeout=f"{timeout}s")
    except (OSError, TimeoutError) as exc:
        raise TradesimError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    except (ValueError, TypeError) as exc:  # not an address at all
        raise TradesimError(
            f"--dask {address!r} is not a scheduler address such as tcp://127.0.0.1:8786 ({exc})"
        ) from None
    with client:
        try:
            client.wait_for_workers(1, timeout=30)
        except TimeoutError:
            raise TradesimError(f"the Dask scheduler at {address} has no workers (waited 30 s)") from None
        _check_workers(client, address)
        threads = sum(client.nthreads().values()) or 1
        it: Iterator[list[Task]] = iter(blocks)
        pending: dict[Any, list[Task]] = {}
        ac = as_completed()

        def fill() -> None:
            while len(pending) < 2 * threads + 2:
                b = next(it, None)
                if b is None:
                    return
                fut = client.submit(run_block, b, key=f"tradesim-block-{b[0].id}-{len(b)}", pure=False, retries=0)
                pending[fut] = b
                ac.add(fut)

        fill()
        try:
            for fut in ac:
                b = pending.pop(fut)
                try:
                    results = fut.result()
                except Exception as exc:  # the worker died running it (KilledWorker), or was lost
                    results = [
                        {
                            "task_id": task.id,
                            "status": "error",
                            "error": f"{type(exc).__name__}: {exc}",
                            "seconds": float("nan"),
                            "metrics": {},
                            "series": {},
                        }
                        for task in b
                    ]
                fut.release()
                for result in results:
                    record(result)
                fill()
        except BaseException:
            client.cancel(list(pending))
            raise


def _check_workers(client: Any, address: str) -> None:
    """Refuse a cluster whose workers run another tradesim version or other model code."""
    mine = worker_identity()
    try:
        theirs = client.run(worker_identity)
    except Exception as exc:
        raise TradesimError(
            f"the Dask workers at {address} cannot import tradesim ({type(exc).__name__}: {exc}); "
            "install it on every worker"
        ) from None
    other = {w: ident for w, ident in theirs.items() if tuple(ident) != mine}
    if other:
        w, (ver, code) = next(iter(other.items()))
        raise TradesimError(
            f"Dask worker {w} runs tradesim {ver} (code {code}), this process {mine[0]} (code {mine[1]}): "
            "install the same version on every worker"
        )
