"""Fact metrics from the recorder's arrays are the table path's values, bit for bit.

:func:`sim.history.fact_arrays.fact_block` (through :func:`sim.metric_arrays.evaluate_block`, what
the batch workers call) against :func:`sim.metrics.evaluate` on each member's pandas tables, the
scorecard's own computation: on an ensemble of the 1980-2024 history whose members differ in
seeds and parameters, every fact of data/facts_history.csv the history covers, every other
quantity of the facts table, groups of economies, a pair whose economies overlap, and a window
outside the run.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.history.facts import QUANTITIES, load_facts
from sim.history.score import resolve_mapping
from sim.metric_arrays import evaluate_block, from_arrays, groupby_sum_is_reduceat
from sim.metrics import Metric, evaluate
from sim.model import TradeModel
from sim.results import Results
from sim.scenario import apply_overrides, load_scenario, load_toml
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    not groupby_sum_is_reduceat(), reason="this pandas sums groups otherwise: fact metrics use the tables"
)


def bits(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).view(np.int64)


@pytest.fixture(scope="module")
def history():
    doc = load_toml(ROOT / "scenarios" / "history_1980.toml")
    specs = [
        load_scenario(
            apply_overrides(
                doc,
                {
                    "simulation.seed": seed,
                    "country.China.propensity_to_consume": c,
                    "world.structure.reallocation_speed": speed,
                },
            )
        )
        for seed, c, speed in ((1, 0.6, 0.25), (2, 0.6, 0.25), (1, 0.7, 0.1), (3, 0.65, 0.8))
    ]
    model = TradeModel.ensemble(specs)
    model.run()
    assert all(e is None for e in model.errors)
    return model


def fact_metric(i: int, economy: str, partner: str, quantity: str, start: int, end: int, names) -> Metric:
    mapping = resolve_mapping([economy, *([partner] if partner else [])], names)
    return Metric(
        name=f"fact_{i}",
        kind="fact",
        column=quantity,
        where=f"{economy}|{partner}",
        sector="",
        window=(start, end),
        stat="mean",
        at=-1,
        share_of_gdp=False,
        label=f"{economy} {partner} {quantity} {start}-{end}",
        members=tuple((e, tuple(m)) for e, m in mapping.items()),
    )


def all_metrics(model: TradeModel) -> list[Metric]:
    names = model.names
    facts = load_facts(ROOT / "data" / "facts_history.csv")
    rows = [(f.economy, f.partner, f.quantity, int(f.start), int(f.end)) for f in facts.itertuples(index=False)]
    # every quantity of the facts table, a group of economies, the world, a pair whose economies
    # overlap (the world's balance with the US counts the US's flows to itself), a period that
    # ends after the run and one of a single year
    extra = [(e, "", q, 1990, 1999) for q in QUANTITIES if q != "bilateral_balance" for e in ("China", "Dragons")]
    extra += [
        ("World", "", "ca_gdp", 1981, 2024),
        ("World", "US", "bilateral_balance", 1985, 1995),
        ("Dragons", "US", "bilateral_balance", 2001, 2001),
        ("US", "", "ca_gdp", 2020, 2030),
    ]
    out = []
    for i, (e, p, q, s, t) in enumerate(rows + extra):
        m = fact_metric(i, e, p, q, s, t, names)
        if all(members for _, members in m.members):
            out.append(m)
    return out


def test_every_fact_from_arrays_is_the_table_value(history):
    metrics = all_metrics(history)
    assert len(metrics) > 80 and all(from_arrays(m) for m in metrics)
    members = list(range(history.R))
    fast = evaluate_block(metrics, history, members)
    assert sorted(fast) == members, "no member of a finite run may be left to the tables"
    finite = 0
    for r in members:
        ts, bil = history.recorder.tables(history, r)
        want, _ = evaluate(metrics, Results(timeseries=ts, bilateral=bil, scenario=history.specs[r]))
        got, _ = fast[r]
        assert list(got) == list(want)
        for name, v in want.items():
            assert bits(got[name]) == bits(v), (r, name, got[name], v)
            finite += np.isfinite(v)
    assert finite > 0.9 * len(metrics) * len(members)  # the comparison is not of NaNs
    # the window after the run is not covered, by both paths
    assert np.isnan(fast[0][0][metrics[-1].name])


def test_members_differ_so_the_comparison_sees_the_parameters(history):
    metrics = [m for m in all_metrics(history) if m.column == "ca_gdp" and m.where.startswith("China|")]
    fast = evaluate_block(metrics, history, [0, 1, 2])
    assert fast[0][0] != fast[2][0]  # another propensity to consume: other facts
    assert fast[0][0] != fast[1][0]  # another seed


def test_a_member_with_a_nan_in_a_summed_column_is_left_to_the_tables(history):
    """pandas' groupby sum skips NaN: the array path must not guess, it hands the member back."""
    metrics = [m for m in all_metrics(history) if m.column == "gdp_share"][:2]
    rec = history.recorder
    buf = rec._country["gdp"]
    keep = buf[3, 1, 0]
    try:
        buf[3, 1, 0] = np.nan
        fast = evaluate_block(metrics, history, [0, 1, 2])
    finally:
        buf[3, 1, 0] = keep
    assert sorted(fast) == [0, 2]
