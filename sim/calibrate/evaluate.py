"""Evaluating proposals on the model through the batch layer.

A proposal is a vector of parameter values; it runs ``seeds`` times (each run a batch task with
its own model seed) and its summary is the mean of each target's metric over those runs. Tasks
are content-addressed (scenario, overrides, seed, metrics, code fingerprint), so every finished
run is kept in the calibration's store and a rerun after an interruption finds it instead of
running it again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.batch.documents import expand_overrides
from sim.batch.executor import execute
from sim.batch.task import make_task
from sim.calibrate.spec import Calibration


def model_seed(seed: int, *key: int) -> int:
    """A model seed in [0, 2**63) derived from the calibration seed and a key (stable everywhere)."""
    state = np.random.SeedSequence([int(seed), 0xCA11B, *map(int, key)]).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1]))


def overrides_of(cal: Calibration, values: np.ndarray) -> dict[str, Any]:
    """Key path -> value for one proposal (plain Python numbers; integers where asked)."""
    out = {}
    for p, v in zip(cal.priors, values, strict=True):
        out[p.path] = int(round(float(v))) if p.integer else float(v)
    return expand_overrides(cal.base, out)


class ModelSimulator:
    """``simulate(values, generation, block)`` for :func:`sim.calibrate.smc.abc_smc` on the model.

    Args:
        cal: the checked calibration.
        store: a batch store (finished runs are found there).
        workers: local worker processes (None: every core).
        dask: a Dask scheduler address instead.
        progress: show a bar per block.
        stream: a number separating this use's seeds from others' (0 for the inference,
            1 for the predictive check, 2 for the sensitivity design).
        common: the same model seeds for every proposal (common random numbers), whatever the
            file's ``common_seeds`` says.
    """

    def __init__(
        self,
        cal: Calibration,
        store: Any,
        *,
        workers: int | None = None,
        dask: str | None = None,
        progress: bool = False,
        stream: int = 0,
        common: bool = False,
    ):
        self.cal, self.store, self.workers, self.dask, self.progress = cal, store, workers, dask, progress
        self.stream = stream
        self.common = common
        self.runs = 0
        self.failed = 0

    def seeds_for(self, generation: int, block: int, index: int) -> list[int]:
        """The model seeds of one proposal."""
        cal = self.cal
        if self.common or cal.spec.common_seeds:
            return [model_seed(cal.spec.seed, self.stream, r) for r in range(cal.spec.seeds)]
        return [model_seed(cal.spec.seed, self.stream, generation, block, index, r) for r in range(cal.spec.seeds)]

    def __call__(self, values: np.ndarray, generation: int, block: int) -> np.ndarray:
        """(k, m) mean metric values per proposal over its runs; NaN where any of them failed."""
        return self.runs_of(values, generation, block).mean(axis=1)

    def runs_of(self, values: np.ndarray, generation: int, block: int) -> np.ndarray:
        """(k, S, m) metric values of each proposal's S runs; NaN rows where any run failed."""
        cal = self.cal
        metrics = tuple(cal.metrics)
        tasks = []
        for i, row in enumerate(values):
            ov = overrides_of(cal, row)
            for s in self.seeds_for(generation, block, i):
                tasks.append(make_task(cal.base, s, metrics, overrides=ov, doc_hash=cal.base_hash))
        summary = execute(
            tasks,
            self.store,
            workers=self.workers,
            dask=self.dask,
            progress=self.progress,
            desc=f"{cal.name} g{generation}.{block}",
        )
        self.runs += summary.ran
        runs = self.store.runs().set_index("task_id")
        names = [m.name for m in metrics]
        per = cal.spec.seeds
        out = np.full((len(values), per, len(names)), np.nan)
        for i in range(len(values)):
            ids = [t.id for t in tasks[i * per : (i + 1) * per]]
            rows = runs.loc[ids]
            if (rows["status"] != "ok").any():
                self.failed += 1
                continue
            out[i] = rows[names].to_numpy(dtype=float)
        return out
