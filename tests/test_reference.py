"""The vectorised trade step equals a per-agent Mesa loop written from the CES formulas.

The reference (``benchmarks/mesa_reference.py``) is imported rather than copied: the benchmark
reports its speed and its agreement with the model, and this test is what makes that agreement a
checked fact, so both must use the same code. It shares nothing with ``sim/market.py`` but the
rule that an elasticity within 1e-6 of 1 is exactly 1 (market.effective_sigma): agents loop over partners and sectors with Python floats, compute
each delivered price's power directly (no cached factors, no normalisation shift, no matrix
products, no sparse tariff correction) and pay each origin its share of every buyer's spending.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import sim
from benchmarks import mesa_reference
from sim.errors import SimulationError
from sim.worlds import synthetic_document
from tests.conftest import ROOT

RTOL = 1e-9


def random_world(seed: int, n: int, s: int, tariffs: str, controls: bool) -> dict:
    rng = np.random.default_rng(seed)
    doc = synthetic_document(n, s, seed, ticks=10)
    sectors = doc["world"]["sectors"]
    doc["world"]["elasticity"] = {k: float(rng.choice([1.0, rng.uniform(1.2, 8.0)])) for k in sectors}
    doc["world"]["trade_cost"] = float(rng.uniform(0.0, 2.0))
    doc["world"]["development"] = {"innovation_rate": 0.5}
    names = [c["name"] for c in doc["country"]]
    for c in doc["country"]:
        c.pop("tariffs", None)
        c.pop("export_controls", None)
        others = [x for x in names if x != c["name"]]
        if not others:
            continue
        if tariffs == "dense":
            c["tariffs"] = {"*": float(rng.uniform(0.0, 0.5))}
        elif tariffs == "sparse" and rng.random() < 0.3:
            c["tariffs"] = {str(rng.choice(others)): {sectors[int(rng.integers(s))]: float(rng.uniform(0.05, 1.0))}}
        if controls and rng.random() < 0.4:
            c["export_controls"] = {
                sectors[int(rng.integers(s))]: {
                    "destinations": [str(x) for x in rng.choice(others, 1 + len(others) // 2)],
                    # a ban or a quota
                    "allowed_share": float(rng.choice([0.0, rng.uniform(0.05, 0.95)])),
                }
            }
    return doc


def relative_gap(ref: np.ndarray, got: np.ndarray, scale: float) -> float:
    assert np.array_equal(np.isfinite(ref), np.isfinite(got))
    ok = np.isfinite(ref)
    return float(np.max(np.abs(ref[ok] - got[ok]), initial=0.0)) / scale


def assert_trade_step_matches_reference(model: sim.TradeModel) -> tuple[mesa_reference.PreTrade, dict]:
    """Run the next tick's trade stage both ways on the same state and compare (1e-9)."""
    pre = mesa_reference.prepare(model)
    ref = mesa_reference.MesaTradeReference(model).trade(pre)
    got = mesa_reference.model_trade(model)
    sales = float(np.max(np.abs(ref["sales"])))
    for key in ("purchaser_price", "sales"):
        scale = float(np.max(np.abs(ref[key][np.isfinite(ref[key])]), initial=0.0)) or 1.0
        assert relative_gap(ref[key], got[key], scale) < RTOL, key
    # exports, imports and tariffs are differences of gross flows (sales less home sales...):
    # their round-off is relative to the flows, not to themselves (a country exporting almost
    # nothing has exports that are all round-off)
    for key in ("exports_sector", "imports_sector", "tariff"):
        assert relative_gap(ref[key], got[key], sales) < RTOL, key
    return pre, ref


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(1, 6),
    s=st.integers(1, 3),
    ticks=st.integers(0, 3),
    tariffs=st.sampled_from(["none", "sparse", "dense"]),
    controls=st.booleans(),
)
# Cobb-Douglas sectors (sigma = 1) beside CES ones, sparse tariffs and export controls: the
# purchaser price was 1.9e-9 off while sigma = 1 was nudged to 1 +- 1e-6 (issue 18)
@example(seed=3, n=5, s=3, ticks=0, tariffs="sparse", controls=True)
def test_vectorised_trade_step_equals_the_per_agent_mesa_loop(seed, n, s, ticks, tariffs, controls):
    try:
        model = sim.TradeModel(random_world(seed, n, s, tariffs, controls))
    except SimulationError as err:
        # some random worlds have no balanced start (a small country whose imported inputs,
        # behind high tariffs, keep its prices up however far its currency falls); the start
        # has its own tests, this one is about the trade step
        assume(err.quantity != "balanced_start")
        raise
    for _ in range(ticks):
        model.step()
    pre, ref = assert_trade_step_matches_reference(model)
    # the reference is not trivially equal: it moves with the inputs it is given
    if n > 1:
        pre.price[0, 0] *= 1.5
        moved = mesa_reference.MesaTradeReference(model).trade(pre)
        assert not np.allclose(moved["sales"], ref["sales"], rtol=1e-6)


def test_reference_sees_tariffs_and_export_controls():
    # an independent check of the reference itself: a blocked cell carries nothing, a quota
    # lets part through, and a tariff splits what the buyer pays into the producer's price and
    # the importer's revenue
    doc = random_world(7, 3, 2, "none", False)
    names = [c["name"] for c in doc["country"]]
    doc["country"][1]["export_controls"] = {
        "s0": {"destinations": [names[2]]},
        "s1": {"destinations": [names[2]], "allowed_share": 0.5},
    }
    doc["country"][2]["tariffs"] = {names[0]: 0.25}
    model = sim.TradeModel(doc)
    pre = mesa_reference.prepare(model)
    ref_model = mesa_reference.MesaTradeReference(model)
    out = ref_model.trade(pre)
    buyer = ref_model.traders[2]
    assert ref_model.traders[1].openness == {(0, buyer): 0.0, (1, buyer): 0.5}
    assert buyer.tariff_on[ref_model.traders[0]] == [0.25, 0.25]
    assert out["tariff"][2] > 0 and out["tariff"][0] == 0 and out["tariff"][1] == 0
    # world exports equal world imports in the reference too
    np.testing.assert_allclose(out["exports_sector"].sum(), out["imports_sector"].sum(), rtol=1e-12)


@pytest.mark.parametrize("sigma", [None, 1.0], ids=["shipped", "cobb_douglas"])
def test_trade_step_equals_the_reference_through_announced_tariffs_and_retaliation(sigma):
    # the shipped tariffs scenario: US buyers pull purchases forward from China at tick 9 (the
    # tariff is announced a year ahead), the tariff binds from tick 10, China retaliates a
    # year later; the reference reads the tariffs and openness in force at each of those ticks.
    # At sigma = 1 the pull-forward (openness above 1) made the nudged CES index of the US 0.
    scn = sim.load_scenario(ROOT / "scenarios" / "tariffs.toml", None if sigma is None else {"world.elasticity": sigma})
    for ticks in (9, 10, 12):
        model = sim.TradeModel(scn, ticks=14)
        for _ in range(ticks):
            model.step()
        assert_trade_step_matches_reference(model)
        assert (np.isfinite(model.state.purchaser_price) & (model.state.purchaser_price > 0)).all()
        if ticks == 9:
            assert model._pull[0] is not None and model._pull[0].max() > 1.0
        if ticks == 12:
            assert model.state.retaliation.max() > 0.0
