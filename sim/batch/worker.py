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
    from sim.model import TradeModel

    model = TradeModel.ensemble(specs)
    model.run()
    fast = _block_metrics(group, model)
    for r, task in enumerate(group):
        out = outs[task.id]
        err = model.errors[r]
        if err is not None:
            out["status"], out["error"] = "error", _error_text(err)
            continue
        try:
            out["metrics"], out["series"] = _member_metrics(task, model, r, fast.get(r))
            out["_done"] = True
        except Exception as exc:
            out["status"], out["error"] = "error", _error_text(exc)


def _block_metrics(group: list[Task], model) -> dict[int, tuple[dict, dict]]:
    """The metrics computable from the recorder's arrays (:mod:`sim.metric_arrays`), for every
    member that ran to the end, one vectorised pass per distinct list of metrics.
    """
    from sim.metric_arrays import evaluate_block

    wanted: dict[tuple, list[int]] = {}
    for r, task in enumerate(group):
        if model.errors[r] is None:
            wanted.setdefault((task.metrics, task.series), []).append(r)
    fast: dict[int, tuple[dict, dict]] = {}
    for (metrics, series), members in wanted.items():
        try:
            fast.update(evaluate_block(metrics, model, members, with_series=series))
        except Exception:  # noqa: BLE001 - those members go through their tables, which report the error
            pass
    return fast


def _member_metrics(task: Task, model, r: int, fast: tuple[dict, dict] | None) -> tuple[dict, dict]:
    """A member's metric values and series: those of the block pass, the rest (cycle and fact
    metrics, or all of them if the block pass left the member out) from its tables.
    """
    from sim.metric_arrays import from_arrays
    from sim.metrics import evaluate
    from sim.results import Results

    values, series = fast if fast is not None else ({}, {})
    rest = [m for m in task.metrics if fast is None or not from_arrays(m)]
    if rest:
        # country and world metrics read only the timeseries table; other kinds may need flows
        flows = not all(m.kind in ("country", "world") for m in rest)
        ts, bil = model.recorder.tables(model, r, bilateral=flows)
        res = Results(timeseries=ts, bilateral=bil, scenario=model.specs[r])
        more, more_series = evaluate(rest, res, with_series=task.series)
        values = {**values, **more}
        series = {**series, **{k: (s.index.to_numpy(), s.to_numpy(dtype=float)) for k, s in more_series.items()}}
    ordered = {m.name: values[m.name] for m in task.metrics}
    keys = dict.fromkeys(m.series_key for m in task.metrics if m.kind not in ("cycle", "fact"))
    return ordered, ({k: series[k] for k in keys} if task.series else {})


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
