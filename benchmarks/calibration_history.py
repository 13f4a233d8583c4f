"""Issue 25's calibration benchmark: the 1980-2024 history calibrated by ABC-SMC, timed.

    python benchmarks/calibration_history.py                       # the file's budget: 500 x 6 x 2 seeds
    python benchmarks/calibration_history.py --population 100 --generations 3   # a smaller one
    python benchmarks/calibration_history.py --workers 1           # in one process

Runs what ``tradesim calibrate scenarios/calibrations/history_1980.toml`` runs (the inference, the
Sobol design, the predictive check and the figures, on every core by default) into a temporary
results folder, so nothing is reused from an earlier run. Reports the wall time, the CPU time of
this process and of its worker processes (sampled every 0.2 s through psutil, so a worker's last
fraction of a second may be missed: a lower bound), the load average while it ran (the machine
may be shared), and an estimate of the wall time on an otherwise idle machine: the CPU time
divided by the cores the workers use. Prints one line of JSON and writes
benchmarks/calibration_history.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILE = ROOT / "scenarios" / "calibrations" / "history_1980.toml"


class _CpuSampler(threading.Thread):
    """CPU seconds of this process's descendants (workers come and go between blocks), sampled."""

    def __init__(self, every: float = 0.2):
        super().__init__(daemon=True)
        import psutil

        self.psutil, self.every = psutil, every
        self.me = psutil.Process()
        self.seen: dict[int, float] = {}
        self.loads: list[float] = []
        self.stop = threading.Event()

    def sample(self) -> None:
        for child in self.me.children(recursive=True):
            try:
                t = child.cpu_times()
                self.seen[child.pid] = max(self.seen.get(child.pid, 0.0), t.user + t.system)
            except self.psutil.Error:
                pass

    def run(self) -> None:
        last_load = 0.0
        while not self.stop.is_set():
            self.sample()
            if time.monotonic() - last_load >= 10.0:
                self.loads.append(os.getloadavg()[0])
                last_load = time.monotonic()
            self.stop.wait(self.every)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--population", type=int, default=None)
    ap.add_argument("--generations", type=int, default=None)
    ap.add_argument("--workers", type=int, default=None, help="local worker processes (default: every core)")
    ap.add_argument("--no-write", action="store_true", help="do not write benchmarks/calibration_history.json")
    args = ap.parse_args(argv)

    import sim.model  # noqa: F401 - imported before the clock starts (the workers import it too)
    from sim.batch.executor import default_workers
    from sim.calibrate.run import run_calibration
    from sim.calibrate.spec import build_calibration
    from sim.scenario import load_toml

    doc = load_toml(FILE)
    budget = {k: v for k, v in (("population", args.population), ("generations", args.generations)) if v}
    doc["method"] = {**doc["method"], **budget}
    cal = build_calibration(doc, file=str(FILE.relative_to(ROOT)), relative_to=FILE.parent, source=FILE, stem=FILE.stem)
    workers = args.workers or default_workers()
    sampler = _CpuSampler()
    load_before = os.getloadavg()
    sampler.start()
    cpu0 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = run_calibration(cal, workers=args.workers, out=tmp)
        wall = time.perf_counter() - t0
        manifest = json.loads((res.path / "manifest.json").read_text())
    main_cpu = time.process_time() - cpu0
    sampler.stop.set()
    sampler.join()
    workers_cpu = sum(sampler.seen.values())
    cpu = main_cpu + workers_cpu
    m = cal.spec.method
    out = {
        "benchmark": "calibration_history",
        "command": "python benchmarks/calibration_history.py" + "".join(f" {a}" for a in (argv or sys.argv[1:])),
        "population": m.population,
        "generations_asked": m.generations,
        "generations_run": manifest.get("generations"),
        "seeds_per_evaluation": cal.spec.seeds,
        "proposals": sum(manifest.get("evaluations") or []),
        "runs": res.runs,
        "targets": len(cal.labels),
        "workers": workers,
        "wall_seconds": round(wall, 1),
        "cpu_seconds_main": round(main_cpu, 1),
        "cpu_seconds_workers": round(workers_cpu, 1),
        "cpu_ms_per_run": round(1e3 * cpu / max(res.runs, 1), 2),
        "quiet_wall_estimate_seconds": round(cpu / workers, 1),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_during_mean": round(sum(sampler.loads) / len(sampler.loads), 2) if sampler.loads else None,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }
    if not args.no_write:
        (ROOT / "benchmarks" / "calibration_history.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
