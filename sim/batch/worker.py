"""What runs inside a worker process: one task, or a block of tasks run as one ensemble, in; one
small result dict per task out.
"""

from __future__ import annotations

import os
import time
import traceback
from typing import Any

from sim.batch.task import Task, code_fingerprint


def run_task(task: Task) -> dict[str, Any]:
    """Run one task and compute its metrics; never raises (a block of one, :func:`run_block`).

    Returns:
        ``{"task_id", "status": "ok" | "error", "error": text or None, "seconds",
        "metrics": {name: value}, "series": {series key: (ticks, values)} or {}}``.
    """
    return run_block([task])[0]


def run_block(tasks: list[Task]) -> list[dict[str, Any]]:
    """Run tasks as ensembles (one per world shape, see :mod:`sim.members`) and compute each
    task's metrics; never raises. Each task's result is the one :func:`run_task` gives it (a
    member's arithmetic does not depend on the block), except ``seconds``: the block's time
    shared equally among its tasks.
    """
    t0 = time.perf_counter()
    outs: dict[str, dict[str, Any]] = {}
    specs: dict[str, Any] = {}
    try:
        from sim.members import shape_key
        from sim.scenario import apply_overrides, load_scenario

        for task in tasks:
            out = outs[task.id] = {"task_id": task.id, "status": "ok", "error": None, "metrics": {}, "series": {}}
            try:
                if task.code and task.code != code_fingerprint():
                    raise RuntimeError(
                        f"this worker (pid {os.getpid()}) runs different tradesim code than the one that made the "
                        "task; install the same version on every worker"
                    )
                doc = apply_overrides(task.document, {**task.overrides, "simulation.seed": task.seed}, file="<task>")
                specs[task.id] = load_scenario(doc)
            except Exception as exc:
                out["status"], out["error"] = "error", _error_text(exc)
        groups: dict[tuple, list[Task]] = {}
        for task in tasks:
            if task.id in specs:
                groups.setdefault(shape_key(specs[task.id]), []).append(task)
        for group in groups.values():
            _run_ensemble(group, [specs[t.id] for t in group], outs)
    except Exception as exc:  # a failure of the block itself: every task not yet done records it
        for task in tasks:
            out = outs.setdefault(task.id, {"task_id": task.id, "metrics": {}, "series": {}})
            if out.get("status") != "error" and not out.get("_done"):
                out["status"], out["error"] = "error", _error_text(exc)
    share = (time.perf_counter() - t0) / max(len(tasks), 1)
    results = []
    for task in tasks:
        out = outs[task.id]
        out.pop("_done", None)
        out["seconds"] = share
        results.append(out)
    return results


def _run_ensemble(group: list[Task], specs: list, outs: dict[str, dict[str, Any]]) -> None:
    from sim.metrics import evaluate
    from sim.model import TradeModel
    from sim.results import Results

    model = TradeModel.ensemble(specs)
    model.run()
    for r, task in enumerate(group):
        out = outs[task.id]
        err = model.errors[r]
        if err is not None:
            out["status"], out["error"] = "error", _error_text(err)
            continue
        try:
            # country and world metrics read only the timeseries table; other kinds may need flows
            flows = not all(m.kind in ("country", "world") for m in task.metrics)
            ts, bil = model.recorder.tables(model, r, bilateral=flows)
            res = Results(timeseries=ts, bilateral=bil, scenario=model.specs[r])
            values, series = evaluate(task.metrics, res, with_series=task.series)
            out["metrics"] = values
            out["series"] = {k: (s.index.to_numpy(), s.to_numpy(dtype=float)) for k, s in series.items()}
            out["_done"] = True
        except Exception as exc:
            out["status"], out["error"] = "error", _error_text(exc)


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" (at {os.path.basename(last.filename)}:{last.lineno})"
    return text


def worker_identity() -> tuple[str, str]:
    """(package version, code fingerprint) of the process this runs in."""
    from sim.batch.task import _version

    return _version(), code_fingerprint()
