"""Rebalancing-cycle analysis of runs: measures, trend and cycle, turning points, phases, cycle
table, figures and a report.

Stable interface (other parts of tradesim build on these names and keys)::

    from sim import analysis
    analysis.summary(results, rule="standard")          # dict, keys analysis.SUMMARY_KEYS
    analysis.cycle_metrics(index, dt, rule)             # the same from a bare index series
    analysis.analyze_run("results/baseline/<run id>")   # writes <run>/analysis/, returns its Path
    analysis.value_added_balances(results, tick)        # (gross, value_added) country x partner

Definitions and defaults: docs/analysis.md.
"""

from __future__ import annotations

from sim.analysis.cycles import SUMMARY_KEYS, cycle_metrics, cycle_table, summary
from sim.analysis.dating import PRESETS, CycleRule, TurningPoints, date_turning_points, get_rule
from sim.analysis.filters import bk_cycle, centred_moving_average, hp_lambda, hp_trend_cycle
from sim.analysis.measures import (
    as_results,
    balance_shares,
    bilateral_balance_matrix,
    bilateral_balances,
    country_measures,
    development_dispersion,
    imbalance_index,
    nfa_shares,
    reserves_months,
    series_dt,
)
from sim.analysis.phases import PHASES, PhaseThresholds, label_phases
from sim.analysis.report import analyze, analyze_run
from sim.analysis.run_analysis import Analysis, analyse
from sim.analysis.runs import find_runs, summaries
from sim.analysis.value_added import io_table, value_added_balances

__all__ = [
    "SUMMARY_KEYS",
    "PRESETS",
    "PHASES",
    "Analysis",
    "CycleRule",
    "PhaseThresholds",
    "TurningPoints",
    "analyse",
    "analyze",
    "analyze_run",
    "as_results",
    "balance_shares",
    "bilateral_balance_matrix",
    "bilateral_balances",
    "bk_cycle",
    "centred_moving_average",
    "country_measures",
    "cycle_metrics",
    "cycle_table",
    "date_turning_points",
    "development_dispersion",
    "find_runs",
    "get_rule",
    "hp_lambda",
    "hp_trend_cycle",
    "imbalance_index",
    "io_table",
    "label_phases",
    "nfa_shares",
    "reserves_months",
    "series_dt",
    "summaries",
    "summary",
    "value_added_balances",
]
