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

from sim.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "SUMMARY_KEYS": "sim.analysis.cycles",
    "cycle_metrics": "sim.analysis.cycles",
    "cycle_table": "sim.analysis.cycles",
    "summary": "sim.analysis.cycles",
    "CycleRule": "sim.analysis.dating",
    "PRESETS": "sim.analysis.dating",
    "TurningPoints": "sim.analysis.dating",
    "date_turning_points": "sim.analysis.dating",
    "get_rule": "sim.analysis.dating",
    "bk_cycle": "sim.analysis.filters",
    "centred_moving_average": "sim.analysis.filters",
    "hp_lambda": "sim.analysis.filters",
    "hp_trend_cycle": "sim.analysis.filters",
    "as_results": "sim.analysis.measures",
    "balance_shares": "sim.analysis.measures",
    "bilateral_balance_matrix": "sim.analysis.measures",
    "bilateral_balances": "sim.analysis.measures",
    "country_measures": "sim.analysis.measures",
    "development_dispersion": "sim.analysis.measures",
    "imbalance_index": "sim.analysis.measures",
    "nfa_shares": "sim.analysis.measures",
    "reserves_months": "sim.analysis.measures",
    "series_dt": "sim.analysis.measures",
    "PHASES": "sim.analysis.phases",
    "PhaseThresholds": "sim.analysis.phases",
    "label_phases": "sim.analysis.phases",
    "analyze": "sim.analysis.report",
    "analyze_run": "sim.analysis.report",
    "Analysis": "sim.analysis.run_analysis",
    "analyse": "sim.analysis.run_analysis",
    "find_runs": "sim.analysis.runs",
    "summaries": "sim.analysis.runs",
    "io_table": "sim.analysis.value_added",
    "value_added_balances": "sim.analysis.value_added",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
