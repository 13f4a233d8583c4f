"""The array recorder: logging every k ticks keeps exactly what logging every tick gives on the
ticks it keeps, the live view of the buffers agrees with the final tables, and buffers grow
when a model runs past its planned length.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.results import COUNTRY_COLUMNS
from tests.conftest import ROOT, two_country


def run_tables(scenario, **overrides) -> tuple[pd.DataFrame, pd.DataFrame]:
    scn = sim.load_scenario(scenario, {f"simulation.{k}": v for k, v in overrides.items()})
    model = sim.TradeModel(scn)
    model.run()
    return model.recorder.tables(model)


@pytest.mark.parametrize(("k", "b"), [(3, 4), (7, 0), (25, 25)])
def test_logging_every_k_ticks_keeps_the_same_values_on_the_ticks_it_keeps(k, b):
    path = ROOT / "scenarios" / "tariffs.toml"  # events, pull-forward and retaliation on the way
    ticks = 23
    ts_all, bil_all = run_tables(path, ticks=ticks, log_every=1, bilateral_every=1)
    ts_k, bil_k = run_tables(path, ticks=ticks, log_every=k, bilateral_every=b)
    kept = sorted({*range(0, ticks, k), ticks - 1})
    assert sorted(ts_k.tick.unique()) == kept
    expect = ts_all[ts_all.tick.isin(kept)].reset_index(drop=True)
    pd.testing.assert_frame_equal(ts_k.reset_index(drop=True), expect, check_exact=True)
    if b == 0:
        assert bil_k.empty
    else:
        kept_b = sorted({*range(0, ticks, b), ticks - 1})
        assert sorted(bil_k.tick.unique()) == kept_b
        expect_b = bil_all[bil_all.tick.isin(kept_b)].reset_index(drop=True)
        pd.testing.assert_frame_equal(bil_k.reset_index(drop=True), expect_b, check_exact=True)


def test_the_live_buffers_agree_with_the_tables_whenever_they_are_read():
    model = sim.TradeModel(two_country(), ticks=12)
    rec = model.recorder
    seen = {}
    for t in range(12):
        model.step()
        if t in (0, 4, 5, 11):  # read mid-run, as the browser view does
            k = len(rec.ticks)
            seen[t] = {c: rec.country[c][:k].copy() for c in ("gdp_ppp", "price_level", "trade_balance", "reserves")}
            seen[t]["productivity"] = rec.sector["productivity"][:k].copy()
    ts, _ = rec.tables(model)
    for t, cols in seen.items():
        for c, v in cols.items():
            if c == "productivity":
                table = np.stack(
                    [ts[f"productivity_{s}"].to_numpy().reshape(-1, model.n) for s in model.sectors], axis=2
                )
            else:
                table = ts[c].to_numpy().reshape(-1, model.n)
            np.testing.assert_array_equal(v, table[: len(v)], err_msg=f"{c} read after tick {t}")
    # derived columns match their definitions on the tables
    np.testing.assert_array_equal(ts.trade_balance, ts.exports - ts.imports)
    np.testing.assert_array_equal(ts.gdp_ppp, ts.gdp / ts.price_level)
    assert set(COUNTRY_COLUMNS) <= set(ts.columns)


def test_running_past_the_planned_length_grows_the_buffers_without_changing_values():
    short = sim.TradeModel(two_country(), ticks=3)
    short.run(20)
    planned = sim.TradeModel(two_country(), ticks=20)
    planned.run()
    ts_short, _ = short.recorder.tables(short)
    ts_planned, _ = planned.recorder.tables(planned)
    assert ts_short.tick.max() == 19
    pd.testing.assert_frame_equal(ts_short, ts_planned, check_exact=True)
