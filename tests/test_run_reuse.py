"""A finished run is reused only with the same inputs and the same code, and a reuse still
writes the files the new call asks for."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pandas as pd

import sim
from sim.fingerprint import code_fingerprint
from tests.conftest import ROOT

BASELINE = ROOT / "scenarios" / "baseline.toml"


def tradesim(*args, cwd, pythonpath=None):
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


def test_an_edit_to_the_model_code_makes_a_new_run_not_a_stale_reuse(tmp_path):
    # a copy of the package whose model code is then edited, as a developer would edit sim/demand.py
    pkg = tmp_path / "pkg"
    shutil.copytree(ROOT / "sim", pkg / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "res"
    args = ("run", str(BASELINE), "--ticks", "6", "--out", str(out), "--no-figure")
    first = tradesim(*args, cwd=tmp_path, pythonpath=pkg)
    assert first.returncode == 0, first.stderr
    with open(pkg / "sim" / "demand.py", "a", encoding="utf-8") as f:
        f.write(
            "\n\n_propensity = propensity\n\n\n"
            "def propensity(*args, **kwargs):  # an edit that changes the numbers\n"
            "    return 0.9 * _propensity(*args, **kwargs)\n"
        )
    second = tradesim(*args, cwd=tmp_path, pythonpath=pkg)
    assert second.returncode == 0, second.stderr
    assert "found a finished run" not in second.stdout and second.stdout.startswith("ran baseline")
    runs = sorted((out / "baseline").iterdir(), key=lambda p: p.stat().st_mtime)
    assert len(runs) == 2
    old, new = (json.loads((r / "manifest.json").read_text()) for r in runs)
    assert old["code"] != new["code"] and old["run_id"] != new["run_id"]
    a, b = (pd.read_parquet(r / "timeseries.parquet") for r in runs)
    assert not a["consumption"].equals(b["consumption"])  # the edit did change the numbers


def test_the_run_id_and_manifest_carry_the_code_fingerprint_batches_use(tmp_path):
    from sim.batch import task

    res = sim.run(BASELINE, ticks=3, out=tmp_path, figure=False)
    assert res.manifest["code"] == code_fingerprint() == task.code_fingerprint()
    assert json.loads((res.path / "manifest.json").read_text())["code"] == code_fingerprint()


def test_a_reused_run_writes_the_csv_and_figure_it_lacks(tmp_path):
    bare = sim.run(BASELINE, ticks=4, out=tmp_path, figure=False, csv="never")
    assert not (bare.path / "timeseries.csv").exists() and not (bare.path / "overview.png").exists()
    again = sim.run(BASELINE, ticks=4, out=tmp_path, figure=True, csv="always")
    assert again.manifest["reused"] and again.path == bare.path
    assert again.manifest["written_on_reuse"] == ["timeseries.csv", "overview.png"]
    assert (bare.path / "overview.png").stat().st_size > 0
    csv = pd.read_csv(bare.path / "timeseries.csv")
    assert list(csv.columns) == list(again.timeseries.columns)
    assert csv["gdp"].to_numpy().tolist() == again.timeseries["gdp"].to_numpy().tolist()  # full precision
    on_disk = json.loads((bare.path / "manifest.json").read_text())
    assert {"timeseries.csv", "overview.png"} <= set(on_disk["files"])
    assert not any(n.startswith("timeseries.csv not written") for n in on_disk["notes"] + again.manifest["notes"])
    assert not [p.name for p in bare.path.iterdir() if p.name.startswith(".")]
    # nothing left to write: nothing written, nothing deleted
    third = sim.run(BASELINE, ticks=4, out=tmp_path, figure=False, csv="never")
    assert third.manifest["reused"] and third.manifest["written_on_reuse"] == []
    assert (bare.path / "timeseries.csv").exists()
    # the first run's note said why it wrote no CSV
    assert any(n.startswith("timeseries.csv not written (csv='never' was given)") for n in bare.manifest["notes"])


def test_the_command_says_what_a_reuse_wrote_and_why_a_csv_is_missing(tmp_path):
    out = str(tmp_path / "res")
    first = tradesim("run", str(BASELINE), "--ticks", "4", "--out", out, "--csv", "never", "--no-figure", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = tradesim("run", str(BASELINE), "--ticks", "4", "--out", out, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    lines = again.stdout.splitlines()
    assert lines[0].startswith("found a finished run with the same inputs and code: ")
    assert "wrote what it lacked: timeseries.csv, overview.png" in lines
    assert not any("timeseries.csv not written" in line for line in lines)
    assert any(line.startswith("figure: ") for line in lines)
    assert "note: timeseries.csv not written (csv='never' was given)" in first.stdout
