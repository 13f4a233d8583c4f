"""``tradesim sweep``: designs, parallel and Dask runs that agree, resume after a kill, failures,
bad files and the sensitivity report."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w

from sim.errors import ScenarioError, TradesimError
from sim.sweep import build_sweep, design, load_sweep, report_sweep, run_sweep
from tests.conftest import ROOT, listening_sockets, two_country

CA = {"name": "poor_ca", "country": "Poor", "column": "current_account", "share_of_gdp": True}
IMB = {"name": "imbalance", "country": "world", "column": "imbalance_index", "stat": "max"}


def small_doc(ticks: int = 10) -> dict:
    doc = two_country()
    doc["simulation"]["ticks"] = ticks
    return doc


def grid_sweep(**extra) -> dict:
    return {
        "base": "base.toml",
        "sampler": "grid",
        "replicates": 2,
        "parameter": [
            {"path": "country.Poor.propensity_to_consume", "values": [0.7, 0.78]},
            {"path": "world.trade_cost", "range": [0.5, 1.0], "steps": 3},
        ],
        "metric": [CA, IMB],
        **extra,
    }


def write(folder: Path, sweep: dict, name: str = "sw.toml", doc: dict | None = None) -> Path:
    (folder / "base.toml").write_text(tomli_w.dumps(doc or small_doc()))
    path = folder / name
    path.write_text(tomli_w.dumps(sweep))
    return path


def tradesim(*args, cwd, env=None):
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


def content(runs: pd.DataFrame) -> pd.DataFrame:
    """A runs table without the timings, in design order."""
    return runs.drop(columns="seconds").sort_values("run").reset_index(drop=True)


def test_grid_design_is_every_combination_with_common_seeds_per_replicate(tmp_path):
    sweep = load_sweep(write(tmp_path, grid_sweep()))
    d = design(sweep)
    assert len(d) == 2 * 3 * 2 and d["run"].tolist() == list(range(12))
    combos = d.groupby("point")[["country.Poor.propensity_to_consume", "world.trade_cost"]].first()
    assert sorted(map(tuple, combos.to_numpy())) == sorted((c, t) for c in (0.7, 0.78) for t in (0.5, 0.75, 1.0))
    # replicate r has the same seed at every point, and the replicates differ
    seeds = d.pivot(index="point", columns="replicate", values="seed")
    assert (seeds.nunique() == 1).all() and seeds.iloc[0, 0] != seeds.iloc[0, 1]


@pytest.mark.parametrize(("sampler", "samples", "n"), [("sobol", 4, 4 * (2 + 2)), ("morris", 3, 3 * 3), ("lhs", 7, 7)])
def test_sampler_designs_stay_in_range_and_are_reproducible(tmp_path, sampler, samples, n):
    spec = grid_sweep(sampler=sampler, samples=samples, replicates=1)
    spec["parameter"] = [
        {"path": "country.Poor.propensity_to_consume", "range": [0.7, 0.8]},
        {"path": "world.trade_cost", "range": [0.5, 1.0]},
    ]
    sweep = load_sweep(write(tmp_path, spec))
    d = design(sweep)
    assert len(d) == n
    assert d["country.Poor.propensity_to_consume"].between(0.7, 0.8).all()
    assert d["world.trade_cost"].between(0.5, 1.0).all()
    pd.testing.assert_frame_equal(d, design(load_sweep(tmp_path / "sw.toml")))


def test_two_workers_give_the_same_table_as_one(tmp_path):
    path = write(tmp_path, grid_sweep())
    one = run_sweep(path, workers=1, out=tmp_path / "one", report=False)
    two = run_sweep(path, workers=2, out=tmp_path / "two", report=False)
    assert one.summary.ran == two.summary.ran == 12 and two.summary.where == "2 local workers"
    assert (one.runs["status"] == "ok").all()
    pd.testing.assert_frame_equal(content(one.runs), content(two.runs), check_exact=True)
    on_disk = pd.read_parquet(tmp_path / "two" / "sw" / "runs.parquet")
    pd.testing.assert_frame_equal(content(on_disk), content(two.runs), check_exact=True)
    # lower consumption in Poor -> a larger Poor current account, at every trade cost and seed
    r = one.runs.pivot_table(
        index=["world.trade_cost", "replicate"], columns="country.Poor.propensity_to_consume", values="poor_ca"
    )
    assert (r[0.7] > r[0.78]).all()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_sweep_on_a_loopback_dask_cluster_matches_the_local_one(tmp_path):
    pytest.importorskip("distributed")
    dask_cli = Path(sys.executable).with_name("dask")
    assert dask_cli.exists(), "dask[distributed] installs the dask command next to python"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        subprocess.Popen(
            [
                str(dask_cli),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dashboard-address",
                "127.0.0.1:0",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        for k in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        str(dask_cli),
                        "worker",
                        address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--local-directory",
                        str(tmp_path / f"w{k}"),
                        "--host",
                        "127.0.0.1",
                        "--dashboard-address",
                        "127.0.0.1:0",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        path = write(tmp_path, grid_sweep(replicates=1))
        p = tradesim(
            "sweep", str(path), "--dask", address, "--out", str(tmp_path / "dask"), "--no-report", cwd=tmp_path, env=env
        )
        assert p.returncode == 0, p.stderr
        assert f"on {address}" in p.stdout
        # every process of the cluster (scheduler, nannies, workers) listens on loopback only
        sockets = listening_sockets(procs)
        assert len(sockets) >= 4, sockets  # the scheduler and, per worker, its nanny and itself
        assert all(ipaddress.ip_address(ip).is_loopback for _, ip, _ in sockets), sockets
        local = run_sweep(path, workers=1, out=tmp_path / "local", report=False)
        remote = pd.read_parquet(tmp_path / "dask" / "sw" / "runs.parquet")
        pd.testing.assert_frame_equal(content(remote), content(local.runs), check_exact=True)
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_dask_address_with_nothing_listening_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed")
    path = write(tmp_path, grid_sweep())
    with pytest.raises(TradesimError, match="cannot reach the Dask scheduler"):
        run_sweep(path, dask=f"tcp://127.0.0.1:{_free_port()}", out=tmp_path / "o", dask_timeout=1.0)


def test_killed_sweep_resumes_and_ends_with_every_run_exactly_once(tmp_path):
    path = write(tmp_path, grid_sweep(replicates=3))  # 18 runs
    # each run its own block, so results reach the store two at a time and the kill lands mid-way
    args = ["sweep", str(path), "--workers", "1", "--block", "1", "--flush-every", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    parts = tmp_path / "results" / "sweeps" / "sw" / "store" / "runs"
    deadline = time.monotonic() + 120
    while len(list(parts.glob("part-*.parquet"))) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = pd.concat([pd.read_parquet(p) for p in parts.glob("part-*.parquet")])
    assert 6 <= len(stored) < 18 and stored["task_id"].is_unique
    p = tradesim(*args, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert f"18 runs ({len(stored)} found finished, {18 - len(stored)} run now, 0 failed)" in p.stdout
    runs = pd.read_parquet(tmp_path / "results" / "sweeps" / "sw" / "runs.parquet")
    assert len(runs) == 18 and runs["run"].is_unique and runs["task_id"].is_unique
    assert (runs["status"] == "ok").all()
    fresh = run_sweep(path, workers=1, out=tmp_path / "fresh", report=False)
    pd.testing.assert_frame_equal(content(runs), content(fresh.runs), check_exact=True)


def test_a_failing_run_is_recorded_and_the_others_complete(tmp_path):
    spec = grid_sweep(replicates=1)
    spec["parameter"] = [{"path": "world.trade_cost", "values": [0.5, -3.0, 1.0]}]
    write(tmp_path, spec)
    with pytest.raises(ScenarioError, match="world.trade_cost"):  # checked up front...
        build_sweep(spec, relative_to=tmp_path)
    sweep = build_sweep(spec, relative_to=tmp_path, check=False)  # ...unless the check is skipped
    res = run_sweep(sweep, workers=1, out=tmp_path / "out")
    assert res.runs["status"].tolist() == ["ok", "error", "ok"]
    bad = res.runs.iloc[1]
    assert "world.trade_cost" in bad["error"] and np.isnan(bad["poor_ca"])
    assert res.runs.loc[[0, 2], "poor_ca"].notna().all()
    assert res.report is not None and (res.report / "report.md").exists()


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (
            {"parameter": [{"path": "country.Poor.propensity_to_consum", "values": [0.7]}]},
            "country.Poor.propensity_to_consum",
            "unknown key",
        ),
        ({"parameter": [{"path": "country.Nobody.wage", "values": [1.0]}]}, "country.Nobody.wage", "no country named"),
        ({"parameter": [{"path": "world.trade_cost", "values": ["far"]}]}, "world.trade_cost", "valid number"),
        ({"parameter": [{"path": "world.trade_cost", "range": [1.0, 1.0], "steps": 2}]}, "parameter[0]", "is empty"),
        ({"parameter": [{"path": "world.trade_cost", "values": []}]}, "parameter[0]", "empty list"),
        ({"replicates": 0}, "replicates", "greater than or equal to 1"),
        ({"parameter": []}, "parameter", "at least 1 item"),
        ({"sampler": "sobol", "samples": 6}, "samples", "power of 2"),
        ({"sampler": "lhs"}, "samples", "needs samples"),
        ({"sampler": "halton"}, "sampler", "Input should be"),
        ({"metric": [{"country": "Poor", "column": "mood"}]}, "metric[0].column", "unknown column"),
    ],
)
def test_bad_sweep_files_give_clear_errors(tmp_path, change, where, words):
    path = write(tmp_path, grid_sweep(**change))
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    assert info.value.file == str(path)
    assert any(where in p for p, _ in info.value.problems), info.value.problems
    assert words in str(info.value)


def test_sobol_indices_of_a_parameter_that_changes_nothing_are_exactly_zero(tmp_path):
    spec = grid_sweep(sampler="sobol", samples=4, replicates=1)
    spec["parameter"] = [
        {"path": "country.Poor.propensity_to_consume", "range": [0.7, 0.8]},
        {"path": "simulation.start_year", "range": [1900, 2100], "integer": True},  # labels only
    ]
    path = write(tmp_path, spec)
    res = run_sweep(path, workers=1, out=tmp_path / "out")
    idx = pd.read_csv(res.report / "indices.csv")
    dummy = idx[idx["parameter"] == "simulation.start_year"]
    real = idx[idx["parameter"] == "country.Poor.propensity_to_consume"]
    assert set(dummy["index"]) == {"S1", "ST"} and (dummy["value"] == 0).all()
    # the only parameter that matters: true S1 = ST = 1 (N = 4 gives rough estimates)
    assert (real[real["index"] == "ST"]["value"] > 0.2).all()
    # the report's table shows each index with its 95% interval (value +- SALib's half-width)
    report = (res.report / "report.md").read_text()
    for row in real.itertuples():
        assert f"{row.value:.3g} [{row.value - row.conf:.3g}, {row.value + row.conf:.3g}]" in report
    figures = sorted(p.name for p in (res.report / "figures").iterdir())
    assert "poor_ca__indices.png" in figures and "poor_ca__heatmaps.png" in figures
    # --report rewrites the report from the stored runs without running anything
    (res.report / "indices.csv").unlink()
    p = tradesim("sweep", str(path), "--out", str(tmp_path / "out"), "--report", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    pd.testing.assert_frame_equal(pd.read_csv(res.report / "indices.csv"), idx)


def test_report_of_an_unfinished_sweep_is_refused(tmp_path):
    path = write(tmp_path, grid_sweep())
    with pytest.raises(TradesimError, match="run it first"):
        report_sweep(path, out=tmp_path / "none")


def test_shipped_sweeps_are_valid():
    files = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))
    assert files
    for f in files:
        p = tradesim("sweep", str(f), "--dry-run", "--out", "/nonexistent-results", cwd=ROOT)
        assert p.returncode == 0, p.stderr
        assert " runs of " in p.stdout and "estimated" not in p.stderr


def test_design_is_the_function_whatever_was_imported_first(tmp_path):
    code = "from sim.sweep import run_sweep, design; assert callable(design), design"
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    assert p.returncode == 0, p.stderr
