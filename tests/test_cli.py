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
from sim.scenario import load_toml
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


def test_set_changes_a_key_of_the_run_and_is_checked_like_the_file(tmp_path):
    scen, out = str(ROOT / "scenarios" / "baseline.toml"), str(tmp_path / "r")
    p = tradesim(
        "run", scen, "--ticks", "4", "--no-figure", "--out", out,
        "--set", "simulation.responses=within_tick", "--set", "world.development.noise_sd=0", cwd=tmp_path,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    (run,) = (tmp_path / "r" / "baseline").iterdir()
    doc = load_toml(run / "scenario.toml")
    assert doc["simulation"]["responses"] == "within_tick" and doc["world"]["development"]["noise_sd"] == 0.0
    # the same file without them is another run, not the one just written
    plain = tradesim("run", scen, "--ticks", "4", "--no-figure", "--out", out, cwd=tmp_path)
    assert plain.returncode == 0 and "found a finished run" not in plain.stdout
    for bad, says in (
        ("simulation.responses=sideways", "simulation.responses"),
        ("world.nope=1", "world.nope: unknown key"),
        ("noequals", "--set takes KEY=VALUE"),
    ):
        p = tradesim("run", scen, "--ticks", "4", "--out", out, "--set", bad, cwd=tmp_path)
        assert p.returncode == 2 and says in p.stderr and "Traceback" not in p.stderr, (bad, p.stderr)


def test_settings_are_read_as_toml_values_or_else_as_words():
    from sim.scenario import parse_settings

    got = parse_settings(["a.b=0", "a.c = 1.5", "a.d=true", 'a.e="x y"', "a.f=within_tick", "a.g=[1, 2]"])
    assert got == {"a.b": 0, "a.c": 1.5, "a.d": True, "a.e": "x y", "a.f": "within_tick", "a.g": [1, 2]}
    for bad in (["a.b=1", "a.b=2"], ["=1"], ["a.b"]):
        with pytest.raises(sim.errors.TradesimError):
            parse_settings(bad)


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


def test_validate_recognises_experiment_and_sweep_files(tmp_path):
    files = [
        ROOT / "scenarios" / "baseline.toml",
        ROOT / "scenarios" / "experiments" / "export_controls.toml",
        ROOT / "scenarios" / "sweeps" / "reserve_targets.toml",
        ROOT / "scenarios" / "calibrations" / "recover_two.toml",
    ]
    p = tradesim("validate", *map(str, files), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "unknown key" not in p.stdout + p.stderr
    assert [line.split("(")[1].split(":")[0] for line in p.stdout.splitlines()] == [
        "scenario",
        "experiment",
        "sweep",
        "calibration",
    ]
    # an experiment whose arm names a wrong key path is refused as an experiment
    bad = tmp_path / "bad.toml"
    bad.write_text(
        f'base = "{ROOT / "scenarios" / "baseline.toml"}"\n[[arm]]\nname = "a"\nset = {{ "country.Nowhere.tariffs" = 1 }}\n'
    )
    p = tradesim("validate", str(bad), cwd=tmp_path)
    assert p.returncode == 2 and "Nowhere" in p.stderr


def test_dry_runs_print_the_design_and_run_nothing(tmp_path):
    exp = ROOT / "scenarios" / "experiments" / "export_controls.toml"
    p = tradesim("compare", str(exp), "--dry-run", "--seeds", "3", "--out", str(tmp_path / "e"), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "= 6 runs" in p.stdout and "controls" in p.stdout and " s on " in p.stdout
    sweep = ROOT / "scenarios" / "sweeps" / "reserve_targets.toml"
    p = tradesim("sweep", str(sweep), "--dry-run", "--out", str(tmp_path / "s"), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "= 48 runs" in p.stdout and "country.East.reserve_target_months" in p.stdout
    assert not (tmp_path / "e").exists() and not (tmp_path / "s").exists()


def test_a_world_too_large_for_memory_is_refused_at_once(tmp_path):
    p = tradesim("run", "--synthetic", "100000,3", "--ticks", "2", "--out", str(tmp_path), cwd=tmp_path)
    assert p.returncode == 2 and "GB" in p.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("level", ["5", "1", "-0.1"])
def test_balance_level_is_a_share_below_one(tmp_path, level):
    p = tradesim("analyze", ".", "--balance-level", level, cwd=tmp_path)  # "." keeps the test's name out
    assert p.returncode == 2 and "balance_level is a share of world GDP" in p.stderr


def test_interrupted_run_does_not_claim_kept_work(tmp_path, monkeypatch, capsys):
    import sim.cli
    import sim.runner

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.runner, "run", interrupted)
    assert sim.cli.main(["run", str(ROOT / "scenarios" / "baseline.toml"), "--out", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    assert "nothing was written" in err and "kept" not in err


def test_help_does_not_import_the_model(tmp_path):
    code = "import sys; from sim.cli import build_parser; build_parser(); print(sorted(m for m in ('mesa', 'pandas', 'scipy', 'matplotlib') if m in sys.modules))"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert p.stdout.strip() == "[]", p.stdout + p.stderr
