"""A killed batch takes its worker processes with it (issue 18, item 6): SIGKILL of a sweep
running on local workers leaves no descendant process behind (workers, the forkserver, the
resource tracker), checked with psutil within a few seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
import tomli_w

from tests.conftest import two_country


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_of_a_sweep_leaves_no_worker_process(tmp_path):
    doc = two_country()
    doc["simulation"]["ticks"] = 200
    (tmp_path / "base.toml").write_text(tomli_w.dumps(doc))
    sweep = {
        "base": "base.toml",
        "replicates": 40,  # far more work than the test waits for
        "parameter": [{"path": "world.trade_cost", "values": [0.5, 1.0]}],
        "metric": [{"country": "Poor", "column": "current_account"}],
    }
    (tmp_path / "k.toml").write_text(tomli_w.dumps(sweep))
    args = [sys.executable, "-m", "sim", "sweep", "k.toml", "--workers", "2", "--block", "2", "--flush-every", "2"]
    args.append("--no-report")  # blocks of 2: the workers are still busy when the sweep is killed
    proc = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    parts = tmp_path / "results" / "sweeps" / "k" / "store" / "runs"
    deadline = time.monotonic() + 120
    # wait until both workers have run (a part is written after their first results)
    while not list(parts.glob("part-*.parquet")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    descendants = parent.children(recursive=True)
    workers = [p for p in descendants if "resource_tracker" not in " ".join(p.cmdline())]
    assert len(workers) >= 3, [p.cmdline() for p in descendants]  # forkserver and two workers
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    try:
        gone, alive = psutil.wait_procs(descendants, timeout=5)
        assert not alive, [(p.pid, p.cmdline()) for p in alive]
    finally:
        for p in descendants:  # never leave them running, whatever the outcome
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
