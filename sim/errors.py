"""The project's own errors: every error a user can cause is one of these.

A :class:`ScenarioError` is raised while loading input (it names the file, the key path and the
reason); a :class:`SimulationError` while running (it names the tick, the country and the
quantity). Both derive from :class:`TradesimError`, which the command line prints in one line.
"""

from __future__ import annotations

MAX_SHOWN = 20
"""A ScenarioError's message lists at most this many problems (``problems`` keeps them all)."""


class TradesimError(Exception):
    """Base class of every error tradesim raises on purpose."""


class ScenarioError(TradesimError, ValueError):
    """A scenario, sweep or experiment file is wrong.

    Attributes:
        file: the file the input came from (``"<dict>"`` for a Python mapping).
        problems: ``(key_path, reason)`` pairs, one per problem found (the message shows the
            first :data:`MAX_SHOWN` and how many more there are).
    """

    def __init__(self, file: str, problems: list[tuple[str, str]]):
        self.file = str(file)
        self.problems = list(problems)
        shown = self.problems[:MAX_SHOWN]
        text = "; ".join(f"{path}: {reason}" if path else reason for path, reason in shown)
        if len(self.problems) > MAX_SHOWN:
            text += f"; and {len(self.problems) - MAX_SHOWN} more problems"
        super().__init__(f"{self.file}: {text}")


class SimulationError(TradesimError, RuntimeError):
    """The economics broke down, or an accounting identity failed, during a run.

    Attributes:
        tick: the tick at which it happened.
        country: the country concerned (``"world"`` for a world-level quantity).
        quantity: the quantity that failed, e.g. ``"current_account"``.
    """

    def __init__(self, tick: int, country: str, quantity: str, reason: str):
        self.tick = tick
        self.country = country
        self.quantity = quantity
        self.reason = reason
        super().__init__(f"tick {tick}, {country}, {quantity}: {reason}")


class NotWrittenError(TradesimError):
    """The work finished but its results could not be written (read-only or full disk, a file
    where a folder is expected). The computed results are attached, so nothing is lost.

    Attributes:
        results: what was computed (a :class:`sim.results.Results` for a run, a
            :class:`sim.experiment.Comparison` for an experiment).
        where: the file or folder that could not be written.
        reason: the system's reason (e.g. ``No space left on device``).
    """

    def __init__(self, what: str, where: str, reason: str, results: object = None):
        self.results = results
        self.where = str(where)
        self.reason = reason
        super().__init__(f"{what} but could not be written to {self.where}: {reason}")


def os_reason(exc: OSError) -> str:
    """An OSError's reason in words, with the file it concerns if it names one."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{reason} ({exc.filename})" if exc.filename else reason
