"""Validating only the tables that changed gives what validating the whole document gives.

:mod:`sim.revalidate` validates a document against the last one validated through a
:class:`~sim.revalidate.Like` (events in the model, the event checks at load); the reference is
:func:`sim.scenario.load_scenario` without it. Equal scenarios (with the same keys marked as
given), the same errors with the same key paths, and a run whose members validate every event's
document in full is the same run, bit for bit.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim import events
from sim.doccopy import copy_tree
from sim.errors import ScenarioError
from sim.model import TradeModel
from sim.revalidate import Like, same, validate_like
from sim.scenario import apply_overrides, load_scenario, load_toml, resolved_document
from sim.schema import Scenario
from tests.conftest import ROOT


def fields_set(model) -> object:
    """The keys marked as given, all the way down (pydantic's model_fields_set)."""
    from pydantic import BaseModel

    out = {"": sorted(model.model_fields_set)}
    for name in type(model).model_fields:
        v = getattr(model, name)
        if isinstance(v, BaseModel):
            out[name] = fields_set(v)
        elif isinstance(v, list):
            out[name] = [fields_set(x) if isinstance(x, BaseModel) else None for x in v]
    return out


@pytest.fixture(scope="module")
def base_doc():
    doc = resolved_document(load_scenario(ROOT / "scenarios" / "baseline.toml"))
    doc.pop("event", None)
    return doc


CHANGES = [
    {"country.China.propensity_to_consume": 0.7},
    {"world.structure.reallocation_speed": 0.1},
    {"simulation.seed": 99},
    {"country.US.tariffs.China": 0.2, "world.trade_cost": 1.3},
    {"country.Japan.labor_shares": {"labor": 0.1, "hightech": 0.3, "primary": 0.1, "services": 0.5}},
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: ",".join(c))
def test_a_changed_document_validates_to_the_full_validation(base_doc, change):
    ref = Scenario.model_validate(base_doc)
    doc = apply_overrides(base_doc, change)
    got = validate_like(doc, base_doc, ref)
    assert got is not None
    plain, scn = got
    want = Scenario.model_validate(doc)
    assert scn == want
    assert scn.model_dump() == want.model_dump()
    assert fields_set(scn) == fields_set(want)
    assert plain == doc
    # the tables that did not change are the reference's validated objects
    assert (scn.world is ref.world) == ("world" not in ",".join(change))


def test_through_load_scenario_the_resolved_scenario_is_the_same(base_doc):
    like = Like()
    for change in [{}, *CHANGES]:
        doc = apply_overrides(base_doc, change)
        assert load_scenario(doc, horizon=False, like=like) == load_scenario(doc, horizon=False)


@pytest.mark.parametrize(
    "path, value",
    [
        ("country.China.propensity_to_consume", True),  # equal to 1.0 in Python, not to the schema
        ("country.China.propensity_to_consume", 1.5),
        ("world.structure.reallocation_speed", -1.0),
        ("country.US.tariffs.China", "high"),
        ("simulation.ticks", 0),
    ],
)
def test_a_bad_value_gives_the_error_of_the_full_validation(base_doc, path, value):
    like = Like()
    load_scenario(base_doc, horizon=False, like=like)  # the reference
    doc = apply_overrides(base_doc, {path: value})
    with pytest.raises(ScenarioError) as full:
        load_scenario(doc, file="<event>", horizon=False)
    with pytest.raises(ScenarioError) as cheap:
        load_scenario(doc, file="<event>", horizon=False, like=like)
    assert str(cheap.value) == str(full.value)
    assert cheap.value.problems == full.value.problems


def test_a_value_of_another_type_that_compares_equal_is_validated_again(base_doc):
    ref_doc = apply_overrides(base_doc, {"world.trade_cost": 1.0})
    like = Like()
    load_scenario(ref_doc, horizon=False, like=like)
    doc = apply_overrides(ref_doc, {"world.trade_cost": True})
    assert doc == ref_doc  # True == 1.0 in Python
    with pytest.raises(ScenarioError, match="trade_cost"):
        load_scenario(doc, horizon=False, like=like)


def test_same_is_exact():
    assert same({"a": [1.0, {"b": "x"}]}, {"a": [1.0, {"b": "x"}]})
    assert not same({"a": 1.0}, {"a": 1})
    assert not same({"a": 1}, {"a": True})
    assert not same({"a": 0.0}, {"a": -0.0})
    assert not same({"a": 1.0, "b": 2.0}, {"b": 2.0, "a": 1.0})  # a validated table keeps its order
    assert not same({"a": np.float64(1.0)}, {"a": 1.0})
    assert not same([1.0], [1.0, 2.0])


def test_numpy_values_are_made_plain_as_the_full_validation_does(base_doc):
    like = Like()
    load_scenario(base_doc, horizon=False, like=like)
    doc = copy_tree(base_doc)
    doc["country"][1]["propensity_to_consume"] = np.float64(0.7)
    assert load_scenario(doc, horizon=False, like=like) == load_scenario(doc, horizon=False)


def test_apply_params_copies_on_write():
    scn = load_scenario(ROOT / "scenarios" / "history_1980.toml")
    doc = resolved_document(scn)
    doc.pop("event")
    snapshot = copy.deepcopy(doc)
    for ev in scn.event:
        out = events.apply_params(doc, ev, scn.names, permanent=True)
        assert doc == snapshot  # the input is never changed
        # and the result is what applying the event to a full copy gives
        full = copy.deepcopy(doc)
        for path, value in events.expand(ev.set, scn.names).items():
            from sim.scenario import set_path

            set_path(full, path, value)
        if not ev.scale and not ev.add:
            assert out == full
        doc = out
        snapshot = copy.deepcopy(doc)


def test_copy_tree_is_an_independent_equal_copy(base_doc):
    doc = copy_tree(base_doc)
    assert doc == base_doc
    doc["country"][0]["name"] = "changed"
    doc["world"]["sectors"].append("x")
    assert base_doc["country"][0]["name"] != "changed"
    assert "x" not in base_doc["world"]["sectors"]


def test_a_run_whose_events_validate_in_full_is_the_same_run(monkeypatch):
    """The 1980-2024 history (46 events, temporary shocks, realignments) with the cheap path and
    with every event's document validated in full: the same recorded numbers, bit for bit."""
    doc = load_toml(ROOT / "scenarios" / "history_1980.toml")
    specs = [load_scenario(apply_overrides(doc, {"simulation.seed": s})) for s in (1, 2)]

    def run():
        model = TradeModel.ensemble(specs)
        model.run()
        return model

    cheap = run()
    monkeypatch.setattr(Like, "validate", lambda self, doc: None)
    full = run()
    for r in range(2):
        assert cheap.specs[r] == full.specs[r]
        a, _ = cheap.recorder.tables(cheap, r, bilateral=False)
        b, _ = full.recorder.tables(full, r, bilateral=False)
        num = a.select_dtypes("number").columns
        assert np.array_equal(a[num].to_numpy().view(np.int64), b[num].to_numpy().view(np.int64))
