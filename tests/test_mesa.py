"""Mesa's conventions, used as a Mesa user writes them: ``run_model()`` stops at the scenario's
end, ``mesa.batch_run`` works without extra arguments and reports the main series, and
``rng=[None] * k`` gives k different runs."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

import sim
from sim.model import AGENT_REPORTERS, MODEL_REPORTERS
from tests.conftest import ROOT, two_country


def test_run_model_stops_at_the_scenario_end():
    model = sim.TradeModel(two_country(), ticks=12)
    model.run_model()  # Mesa's loop: while model.running: model.step()
    assert model.tick == 12
    assert model.steps == 12
    assert model.running is False


def _batch(**kw) -> pd.DataFrame:
    rows = mesa.batch_run(sim.TradeModel, display_progress=False, **kw)
    return pd.DataFrame(rows)


def test_batch_run_as_a_mesa_user_writes_it():
    # a path is one value; a scenario given as a mapping goes in a list (Mesa iterates mappings)
    df = _batch(
        parameters={"scenario": str(ROOT / "scenarios" / "baseline.toml"), "ticks": 6}, data_collection_period=1
    )
    assert set(MODEL_REPORTERS) | set(AGENT_REPORTERS) <= set(df.columns)
    assert sorted(df["Step"].unique()) == list(range(1, 7))  # stopped at the scenario's end
    assert sorted(df["country"].unique()) == sorted(sim.load_scenario(ROOT / "scenarios" / "baseline.toml").names)
    by_step = df.groupby("Step")
    # current accounts sum to zero (the world's accounting), and the imbalance index is
    # sum |CA| / world GDP of the same rows
    np.testing.assert_allclose(by_step["current_account"].sum(), 0.0, atol=1e-6 * df["gdp"].max())
    index = by_step.apply(lambda g: g["current_account"].abs().sum() / g["gdp"].sum())
    np.testing.assert_allclose(by_step["imbalance_index"].first(), index, rtol=1e-12)
    np.testing.assert_allclose(df["current_account_pct_gdp"], 100 * df["current_account"] / df["gdp"])


def test_batch_run_reports_the_recorded_series():
    # without rng Mesa passes seed=None (a fresh seed); rng=[5] is the scenario's seed
    df = _batch(parameters={"scenario": [two_country()], "ticks": 5}, data_collection_period=1, rng=[5])
    res = sim.simulate(two_country(), ticks=5)
    for col, table in [("current_account", "current_account"), ("trade_balance", None), ("reserves", "reserves")]:
        got = df.pivot(index="Step", columns="country", values=col)[res.countries]
        if table is None:
            want = res.series("exports") - res.series("imports")
        else:
            want = res.series(table)
        np.testing.assert_allclose(got.to_numpy(), want[res.countries].to_numpy(), rtol=1e-12, atol=1e-9)


def test_batch_run_rng_none_gives_different_runs_and_keeps_their_seeds():
    df = _batch(parameters={"scenario": [two_country()], "ticks": 4}, rng=[None] * 3)
    assert df["seed"].nunique() == 3
    assert df.groupby("iteration")["current_account"].first().nunique() == 3
    again = _batch(parameters={"scenario": [two_country()], "ticks": 4}, rng=[int(df["seed"].iloc[0])])
    row = df[df["seed"] == df["seed"].iloc[0]].sort_values("country")
    np.testing.assert_array_equal(again.sort_values("country")["current_account"], row["current_account"])


def test_batch_run_same_rng_same_run_and_scenario_seed_by_default():
    df = _batch(parameters={"scenario": [two_country()], "ticks": 4}, rng=[7, 7])
    first = df.groupby("iteration")["current_account"].apply(list)
    assert first.iloc[0] == first.iloc[1]
    assert sim.TradeModel(two_country()).seed == two_country()["simulation"]["seed"]


def test_batch_run_over_key_path_overrides():
    over = [{"country.Poor.propensity_to_consume": p} for p in (0.7, 0.9)]
    df = _batch(parameters={"scenario": [two_country()], "ticks": 5, "overrides": over})
    poor = df[df["country"] == "Poor"].set_index("RunId")["current_account_pct_gdp"]
    assert poor.iloc[0] > poor.iloc[1]  # the thriftier Poor country lends more


@pytest.mark.parametrize("datacollector", [True, False])
def test_datacollector_switch(datacollector):
    model = sim.TradeModel(two_country(), ticks=3, datacollector=datacollector)
    model.run()
    assert (model.datacollector is not None) is datacollector
