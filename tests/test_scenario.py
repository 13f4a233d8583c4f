"""Bad scenario input gives the project's own error naming the file, the key path and the reason."""

from __future__ import annotations

import copy

import pytest

import sim
from sim.errors import ScenarioError
from tests.conftest import ROOT, two_country


def expect(doc, *fragments, file="bad.toml"):
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(doc, file=file)
    msg = str(info.value)
    assert msg.startswith(file), msg
    for frag in fragments:
        assert frag in msg, f"{frag!r} not in {msg!r}"
    return msg


def with_(doc, path, value):
    doc = copy.deepcopy(doc)
    node = doc
    parts = path.split("/")
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node.setdefault(p, {})
    node[parts[-1]] = value
    return doc


def test_unknown_key():
    expect(with_(two_country(), "country/1/propensity_to_save", 0.3), "country.Poor.propensity_to_save", "unknown key")


def test_wrong_type():
    expect(with_(two_country(), "country/1/labor_force", "many"), "country.Poor.labor_force", "valid number")


def test_negative_labor():
    expect(with_(two_country(), "country/0/labor_force", -5.0), "country.Rich.labor_force", "greater than 0")


def test_sigma_not_positive():
    expect(with_(two_country(), "world/elasticity", 0.0), "world.elasticity", "greater than 0")


def test_country_named_twice():
    doc = two_country()
    doc["country"][1]["name"] = "Rich"
    expect(doc, "country[1].name", "named twice")


def test_event_after_last_tick():
    doc = two_country()
    doc["event"] = [{"tick": 40, "set": {"country.Poor.propensity_to_consume": 0.7}}]
    expect(doc, "event[0].tick", "after the last tick")


def test_event_with_bad_path_or_value():
    doc = two_country()
    doc["event"] = [{"tick": 5, "set": {"country.Atlantis.propensity_to_consume": 0.7}}]
    expect(doc, "event[0]", "no country named 'Atlantis'")
    doc["event"] = [{"tick": 5, "set": {"country.Poor.propensity_to_consume": 1.5}}]
    expect(doc, "event[0]", "country.Poor.propensity_to_consume", "less than 1")


def test_partner_that_does_not_exist():
    expect(
        with_(two_country(), "country/0/tariffs", {"Atlantis": 0.1}),
        "country.Rich.tariffs.Atlantis",
        "no country named",
    )
    doc = with_(two_country(), "country/0/export_controls", {"hightech": {"destinations": ["Atlantis"]}})
    expect(doc, "country.Rich.export_controls.hightech.destinations[0]", "no country named")
    expect(with_(two_country(), "world/reserve_issuers", ["Atlantis"]), "world.reserve_issuers[0]", "no country named")


def test_input_coefficients_whose_column_sums_reach_one():
    doc = with_(two_country(), "world/inputs", {"labor": {"hightech": 0.7, "primary": 0.3}})
    expect(doc, "world.inputs.labor", "sum to 1", "below 1")


def test_shares_that_do_not_sum_to_one():
    doc = with_(two_country(), "country/1/labor_shares", {"labor": 0.5, "services": 0.4})
    expect(doc, "country.Poor.labor_shares", "sum to 1")


def test_unknown_sector():
    expect(
        with_(two_country(), "country/1/productivity", {"labor": 1.0, "spaceships": 2.0}),
        "country.Poor.productivity.spaceships",
    )


def test_nan_and_infinity_are_rejected():
    expect(with_(two_country(), "country/1/labor_growth", float("nan")), "country.Poor.labor_growth")
    expect(with_(two_country(), "world/trade_cost", float("inf")), "world.trade_cost")


def test_missing_required_key():
    doc = two_country()
    del doc["country"][0]["labor_force"]
    expect(doc, "country.Rich.labor_force", "required")


def test_file_errors(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        sim.load_scenario(tmp_path / "nope.toml")
    bad = tmp_path / "broken.toml"
    bad.write_text("[simulation\nticks = 3\n")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        sim.load_scenario(bad)


def test_resolved_scenario_round_trips(tmp_path):
    from sim.scenario import scenario_hash, scenario_to_toml

    scn = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    path = tmp_path / "resolved.toml"
    path.write_text(scenario_to_toml(scn))
    again = sim.load_scenario(path)
    assert scenario_hash(again) == scenario_hash(scn)


def test_key_paths_set_nested_values_and_expand_single_values():
    from sim.scenario import apply_overrides

    doc = apply_overrides(two_country(), {"country.Poor.productivity.labor": 0.5, "world.finance.premium_cap": 0.05})
    scn = sim.load_scenario(doc)
    assert scn.country[1].productivity["labor"] == 0.5 and scn.country[1].productivity["hightech"] == 0.2
    assert scn.world.finance.premium_cap == 0.05
    with pytest.raises(ScenarioError, match="unknown top-level"):
        apply_overrides(two_country(), {"planet.x": 1})


def test_key_reference_is_current():
    from sim.keyref import render

    committed = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/scenarios.md is stale: run python -m sim.keyref > docs/scenarios.md"
