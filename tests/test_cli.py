"""``tradesim run`` and ``tradesim validate`` end to end, as a user types them."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import sim
import sim.errors
from sim.results import COUNTRY_COLUMNS, sector_columns
from tests.conftest import ROOT


def tradesim(*args, cwd):
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_run_writes_the_documented_files_and_reuses_a_finished_run(tmp_path):
    scen = ROOT / "scenarios" / "baseline.toml"
    out = tmp_path / "res"
    p = tradesim("run", str(scen), "--ticks", "30", "--out", str(out), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    runs = list((out / "baseline").iterdir())
    assert len(runs) == 1
    run = runs[0]
    for name in (
        "timeseries.parquet",
        "timeseries.csv",
        "bilateral.parquet",
        "scenario.toml",
        "manifest.json",
        "overview.png",
    ):
        assert (run / name).exists(), name
    ts = pd.read_parquet(run / "timeseries.parquet")
    csv = pd.read_csv(run / "timeseries.csv")
    expected = [
        "tick",
        "year",
        "country",
        *COUNTRY_COLUMNS,
        *sector_columns(["labor", "hightech", "primary", "services"], ["labor", "hightech", "primary"]),
    ]
    assert [c for c in expected if c not in ts.columns] == []
    assert len(ts) == len(csv) == 30 * 5
    bil = pd.read_parquet(run / "bilateral.parquet")
    assert list(bil.columns) == ["tick", "year", "origin", "destination", "sector", "value", "final", "intermediate"]
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["seed"] == 1 and manifest["ticks"] == 30 and manifest["version"]
    assert manifest["tables"]["timeseries"]
    # the same inputs find the finished run; another seed makes a new one
    again = tradesim("run", str(scen), "--ticks", "30", "--out", str(out), cwd=tmp_path)
    assert again.returncode == 0 and "found a finished run" in again.stdout
    other = tradesim("run", str(scen), "--ticks", "30", "--seed", "2", "--out", str(out), cwd=tmp_path)
    assert other.returncode == 0
    assert len(list((out / "baseline").iterdir())) == 2
    assert not list((out / "baseline").glob(".tmp-*"))


def test_bad_scenario_prints_one_line_and_exits_nonzero(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[country]]\nname = "A"\nlabor_force = -1\n')
    p = tradesim("run", str(bad), "--out", str(tmp_path / "r"), cwd=tmp_path)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "country.A.labor_force" in lines[0] and str(bad) in lines[0]
    v = tradesim("validate", str(bad), str(ROOT / "scenarios" / "baseline.toml"), cwd=tmp_path)
    assert v.returncode == 2 and "ok:" in v.stdout and "labor_force" in v.stderr


def test_synthetic_run(tmp_path):
    p = tradesim("run", "--synthetic", "6,2", "--ticks", "5", "--out", str(tmp_path / "r"), "--no-figure", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert list((tmp_path / "r" / "synthetic_6x2").iterdir())


def test_a_run_folder_reproduces_its_run_events_included(tmp_path):
    import sim

    res = sim.run(ROOT / "scenarios" / "weak_consumption.toml", ticks=40, out=tmp_path)
    assert res.manifest["run_id"] == res.path.name
    again = sim.simulate(res.path / "scenario.toml")
    assert again.scenario.event and again.timeseries.equals(res.timeseries)


def test_csv_is_written_for_small_tables_and_on_request_only(tmp_path):
    from sim.runner import CSV_AUTO_CELLS

    small = sim.run(ROOT / "scenarios" / "baseline.toml", ticks=12, out=tmp_path / "a", figure=False)
    assert (small.path / "timeseries.csv").exists()  # auto: far below the threshold
    assert small.timeseries.size <= CSV_AUTO_CELLS
    never = sim.run(ROOT / "scenarios" / "baseline.toml", ticks=12, out=tmp_path / "b", figure=False, csv="never")
    assert not (never.path / "timeseries.csv").exists()
    assert "timeseries.csv" not in never.manifest["files"]
    assert any("timeseries.csv not written" in n for n in never.manifest["notes"])
    back = sim.load_run(never.path)  # a run without the CSV loads from Parquet alone
    pd.testing.assert_frame_equal(back.timeseries, small.timeseries)
    with pytest.raises(sim.errors.TradesimError, match="csv must be"):
        sim.run(ROOT / "scenarios" / "baseline.toml", ticks=12, out=tmp_path / "c", csv="sometimes")
