"""History: real data (gapminder incomes and populations), facts tables and the scorecard.

- :mod:`sim.history.gapminder`: the vendored gapminder table (``data/gapminder/``).
- :mod:`sim.history.facts`: facts tables (``data/facts_*.csv``) and their validation.
- :mod:`sim.history.score`: the scorecard of a run against a facts table.
- :mod:`sim.history.world142`: the 142-country world of 1982 and its development rule.

Conversions between the data and the model are documented in ``docs/validation.md``.
"""
