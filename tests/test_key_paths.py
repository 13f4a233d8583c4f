"""Key paths of one part and NumPy values from Python give project errors or plain values, never
IndexError or a serialisation error (issue 18, item 10)."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
import tomli_w

import sim
from sim.errors import ScenarioError
from sim.runner import results_equal
from sim.scenario import get_path, scenario_to_toml
from sim.sweep import load_sweep
from tests.conftest import two_country

CA = {"name": "poor_ca", "country": "Poor", "column": "current_account", "share_of_gdp": True}


def small_doc(**extra) -> dict:
    doc = two_country()
    doc["simulation"]["ticks"] = 6
    return {**doc, **extra}


@pytest.mark.parametrize("path", ["world", "simulation", "country"])
def test_a_one_part_override_is_a_scenario_error_naming_it(path):
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(small_doc(), {path: 3})
    assert [p for p, _ in info.value.problems] == [path]
    assert "whole table" in str(info.value)
    with pytest.raises(KeyError):
        get_path(small_doc(), path)


def test_a_one_part_key_in_an_event_is_a_scenario_error_naming_the_event():
    doc = small_doc(event=[{"tick": 2, "set": {"world.trade_cost": 0.5}}, {"tick": 3, "set": {"world": 1}}])
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(doc)
    [(path, _)] = info.value.problems
    assert path.startswith("event[1]") and "world" in path, path


def test_a_one_part_sweep_parameter_or_arm_key_is_a_scenario_error(tmp_path):
    (tmp_path / "base.toml").write_text(tomli_w.dumps(small_doc()))
    sweep = {"base": "base.toml", "parameter": [{"path": "world", "values": [1]}], "metric": [CA]}
    (tmp_path / "s.toml").write_text(tomli_w.dumps(sweep))
    with pytest.raises(ScenarioError) as info:
        load_sweep(tmp_path / "s.toml")
    assert info.value.problems[0][0].startswith("parameter[0]") and "world" in info.value.problems[0][0]
    with pytest.raises(ScenarioError, match=r"arm\.a\.set: world"):
        sim.compare(small_doc(), {"a": {"world": 1}}, seeds=1, metrics=[CA])


def test_numpy_numbers_in_an_event_table_load_run_and_write_like_python_numbers(tmp_path):
    as_numpy = {
        "tick": np.int64(2),
        "set": {"world.trade_cost": np.float64(0.5), "country.Poor.tariffs.Rich": np.int64(1)},
    }
    as_python = {"tick": 2, "set": {"world.trade_cost": 0.5, "country.Poor.tariffs.Rich": 1}}
    a = sim.load_scenario(small_doc(event=[as_numpy]), {"world.trade_cost": np.float32(0.75)})
    b = sim.load_scenario(small_doc(event=[as_python]), {"world.trade_cost": 0.75})
    assert a == b
    assert tomllib.loads(scenario_to_toml(a)) == tomllib.loads(scenario_to_toml(b))
    ra = sim.run(small_doc(event=[as_numpy]), out=tmp_path / "a", figure=False)
    rb = sim.run(small_doc(event=[as_python]), out=tmp_path / "b", figure=False)
    assert results_equal(ra, rb)


def test_a_value_no_file_could_hold_in_an_event_is_a_scenario_error_with_its_path():
    doc = small_doc(event=[{"tick": 2, "set": {"world.trade_cost": object()}}])
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(doc)
    [(path, _)] = info.value.problems
    assert path.startswith("event[0]") and "world.trade_cost" in path, path
