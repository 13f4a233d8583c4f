"""The china_2024 calibration still holds: China's 2024 trade near the seeds' figures.

The targets are data (seed 002: exports $3.58T, imports $2.59T in 2024), not model output;
docs/calibration.md says what was set by hand to meet them.
"""

from __future__ import annotations

import sim
from tests.conftest import ROOT


def test_china_2024_trade_is_within_ten_percent_of_the_data():
    res = sim.simulate(ROOT / "scenarios" / "china_2024.toml")
    china = res.timeseries[(res.timeseries.tick == 5) & (res.timeseries.country == "China")].iloc[0]
    assert int(china.year) == 2024
    assert abs(china.exports / 3580.0 - 1.0) < 0.10, china.exports
    assert abs(china.imports / 2590.0 - 1.0) < 0.10, china.imports
    assert 700.0 < china.trade_balance < 1300.0  # "about $1 trillion"
