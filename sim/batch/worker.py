"""What runs inside a worker process: one task in, one small result dict out."""

from __future__ import annotations

import os
import time
import traceback
from typing import Any

from sim.batch.task import Task, code_fingerprint


def run_task(task: Task) -> dict[str, Any]:
    """Run one task and compute its metrics; never raises.

    Returns:
        ``{"task_id", "status": "ok" | "error", "error": text or None, "seconds",
        "metrics": {name: value}, "series": {series key: (ticks, values)} or {}}``.
    """
    t0 = time.perf_counter()
    out: dict[str, Any] = {"task_id": task.id, "status": "ok", "error": None, "metrics": {}, "series": {}}
    try:
        if task.code and task.code != code_fingerprint():
            raise RuntimeError(
                f"this worker (pid {os.getpid()}) runs different tradesim code than the one that made the task; "
                "install the same version on every worker"
            )
        from sim.metrics import evaluate
        from sim.model import TradeModel
        from sim.results import Results
        from sim.scenario import apply_overrides

        doc = apply_overrides(task.document, {**task.overrides, "simulation.seed": task.seed}, file="<task>")
        model = TradeModel(doc, datacollector=False)
        model.run()
        ts, bil = model.recorder.tables(model)
        res = Results(timeseries=ts, bilateral=bil, scenario=model.spec)
        values, series = evaluate(task.metrics, res, with_series=task.series)
        out["metrics"] = values
        out["series"] = {k: (s.index.to_numpy(), s.to_numpy(dtype=float)) for k, s in series.items()}
    except Exception as exc:  # recorded with the run; the batch goes on
        out["status"] = "error"
        out["error"] = _error_text(exc)
    out["seconds"] = time.perf_counter() - t0
    return out


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
