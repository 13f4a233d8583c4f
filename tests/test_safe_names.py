"""Names that reach file paths are plain names, checked at load with the key path in the error
(issue 18, item 7): a scenario's ``simulation.name``, an experiment's and its arms' names, a
sweep's name. Nothing is ever written outside ``--out``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

import sim
from sim.errors import ScenarioError, TradesimError
from sim.experiment import load_experiment
from sim.scenario import load_scenario
from sim.sweep import build_sweep, load_sweep, run_sweep
from tests.conftest import two_country

BAD = ["/tmp/tradesim-escape", "..", "sub/dir", "a\\b", "../up", "c:x", " lead", "trail ", "CON", "a\x00b"]
CA = {"name": "poor_ca", "country": "Poor", "column": "current_account", "share_of_gdp": True}


def small_doc(name: str = "two") -> dict:
    doc = two_country()
    doc["simulation"].update(ticks=4, name=name)
    return doc


@pytest.mark.parametrize("name", BAD)
def test_a_scenario_name_that_is_not_plain_is_refused_at_load(name):
    with pytest.raises(ScenarioError) as info:
        load_scenario(small_doc(name))
    assert [p for p, _ in info.value.problems] == ["simulation.name"]


def test_run_with_an_absolute_or_nested_name_writes_nothing_outside_out(tmp_path):
    outside = tmp_path / "outside"
    for name in (str(outside), "sub/dir", "../up"):
        with pytest.raises(ScenarioError, match="simulation.name"):
            sim.run(small_doc(name), out=tmp_path / "out", figure=False)
    assert not outside.exists() and not (tmp_path / "up").exists() and not (tmp_path / "out").exists()
    # the command line says it in one line
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(small_doc(str(outside))))
    p = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert p.returncode == 2 and p.stderr.startswith("error: ") and "simulation.name" in p.stderr
    assert "Traceback" not in p.stderr and not outside.exists()


def test_a_file_stem_becomes_a_plain_name(tmp_path):
    doc = small_doc()
    del doc["simulation"]["name"]
    path = tmp_path / "my world v2.0 [draft].toml"
    path.write_text(tomli_w.dumps(doc))
    assert load_scenario(path).simulation.name == "my_world_v2_0_draft"


@pytest.mark.parametrize("name", ["../up", "/tmp/tradesim-escape", "a/b", ".."])
def test_experiment_names_from_python_or_the_base_scenario_are_checked(tmp_path, name):
    arms = {"open": {"world.trade_cost": 0.4}}
    with pytest.raises(ScenarioError) as info:
        sim.compare(small_doc(), arms, seeds=1, metrics=[CA], name=name, out=tmp_path)
    assert [p for p, _ in info.value.problems] == ["name"]
    with pytest.raises(ScenarioError, match=r"base: simulation\.name"):
        sim.compare(small_doc(name), arms, seeds=1, metrics=[CA], out=tmp_path)
    with pytest.raises(ScenarioError, match=r"arm\[0\]\.name"):
        sim.compare(small_doc(), {name: {"world.trade_cost": 0.4}}, seeds=1, metrics=[CA], out=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_experiment_and_sweep_files_with_a_path_as_name_are_refused(tmp_path):
    (tmp_path / "base.toml").write_text(tomli_w.dumps(small_doc()))
    exp = {"name": "../up", "base": "base.toml", "seeds": 1, "arm": [{"name": "a", "set": {"world.trade_cost": 0.4}}]}
    (tmp_path / "e.toml").write_text(tomli_w.dumps(exp))
    with pytest.raises(ScenarioError, match=r"e\.toml: name"):
        load_experiment(tmp_path / "e.toml")
    sweep = {"name": "a/b", "base": "base.toml", "parameter": [{"path": "world.trade_cost", "values": [0.5]}]}
    (tmp_path / "s.toml").write_text(tomli_w.dumps({**sweep, "metric": [CA]}))
    with pytest.raises(ScenarioError, match=r"s\.toml: name"):
        load_sweep(tmp_path / "s.toml")


@pytest.mark.parametrize("name", ["../up", "/tmp/tradesim-escape", "x\\y"])
def test_sweep_names_from_python_or_the_base_scenario_are_checked(tmp_path, name):
    (tmp_path / "base.toml").write_text(tomli_w.dumps(small_doc()))
    spec = {"base": "base.toml", "parameter": [{"path": "world.trade_cost", "values": [0.5]}], "metric": [CA]}
    with pytest.raises(ScenarioError) as info:
        build_sweep(spec, name=name, relative_to=tmp_path)
    assert [p for p, _ in info.value.problems] == ["name"]
    spec["base"] = {"scenario": "base.toml", "set": {"simulation.name": name}}
    with pytest.raises(ScenarioError, match=r"base: simulation\.name"):
        build_sweep(spec, relative_to=tmp_path)


def test_an_object_built_by_hand_with_a_bad_name_writes_nothing(tmp_path):
    (tmp_path / "base.toml").write_text(tomli_w.dumps(small_doc()))
    spec = {"base": "base.toml", "parameter": [{"path": "world.trade_cost", "values": [0.5]}], "metric": [CA]}
    sweep = build_sweep(spec, name="fine", relative_to=tmp_path)
    sweep.name = "../up"
    with pytest.raises(TradesimError, match="not a plain name"):
        run_sweep(sweep, workers=1, out=tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.toml"]


def test_shipped_names_are_plain():
    root = Path(__file__).resolve().parent.parent / "scenarios"
    for f in sorted(root.glob("*.toml")):
        load_scenario(f)


# ----------------------------------------------------------------------------- names and columns (item 9)


def _clashing_sector_names() -> list[tuple[str, str]]:
    """(sector name, column it duplicates): every country column ``<kind>_<rest>`` whose prefix is
    a per-sector kind makes ``<rest>`` a clashing sector name, as ``output_share_<s>`` makes
    ``share_<s>`` one."""
    from sim.results import COUNTRY_COLUMNS, SECTOR_COLUMNS, TRADED_COLUMNS

    kinds = [*SECTOR_COLUMNS, *TRADED_COLUMNS]
    out = [(c[len(k) + 1 :], c) for c in COUNTRY_COLUMNS for k in kinds if c.startswith(k + "_")]
    out += [(f"{k2[len(k) + 1 :]}_services", f"{k2}_services") for k in kinds for k2 in kinds if k2.startswith(k + "_")]
    return out


def test_the_clashes_of_the_issue_are_among_those_derived():
    pairs = _clashing_sector_names()
    assert ("level", "price_level") in pairs and ("share_services", "output_share_services") in pairs


@pytest.mark.parametrize(("sector", "column"), _clashing_sector_names())
def test_a_sector_name_that_would_repeat_a_column_is_refused_at_load(sector, column):
    doc = small_doc()
    doc["world"]["sectors"] = ["labor", sector]
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc)
    assert info.value.problems[0][0] == "world.sectors[1]", info.value.problems
    assert column in str(info.value)


def test_two_sector_names_that_repeat_each_others_columns_are_both_named():
    doc = small_doc()
    doc["world"]["sectors"] = ["x", "share_x"]
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc)
    assert [p for p, _ in info.value.problems] == ["world.sectors[0]", "world.sectors[1]"]
    assert "output_share_x" in str(info.value)


def test_unusual_names_that_clash_with_nothing_run_and_write(tmp_path):
    doc = small_doc()
    doc["world"]["sectors"] = ["share", "level_2", "tick", "country"]
    doc["country"][0]["name"] = "reserves_in_X"
    res = sim.run(doc, out=tmp_path, figure=False)
    from sim.results import timeseries_columns

    expected = timeseries_columns(res.scenario.all_sectors, res.scenario.traded, ["reserves_in_X"])
    assert list(res.timeseries.columns) == expected and res.timeseries.columns.is_unique
    assert (res.path / "timeseries.parquet").exists()


def test_a_calibration_built_by_hand_with_a_bad_name_writes_nothing(tmp_path):
    from sim.calibrate import load_calibration, run_calibration

    root = Path(__file__).resolve().parent.parent
    cal = load_calibration(root / "scenarios" / "calibrations" / "recover_two.toml")
    cal.name = "../up"
    with pytest.raises(TradesimError, match="not a plain name"):
        run_calibration(cal, workers=1, out=tmp_path / "out")
    assert list(tmp_path.iterdir()) == []
