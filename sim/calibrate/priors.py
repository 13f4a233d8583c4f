"""Priors of calibrated parameters, and the space the sampler moves in.

Each parameter has a prior on ``[low, high]``: ``uniform``, ``loguniform`` (uniform in the
logarithm; ``low > 0``) or ``normal`` (mean ``mean``, standard deviation ``sd``, truncated to the
bounds). The sequential Monte Carlo kernel perturbs particles in a *working* space where each
prior is uniform or normal: the logarithm for ``loguniform`` parameters, the value itself for
the others. Densities are taken in that space (the Jacobian of the log cancels in ABC-SMC
weights because proposals and priors are both expressed there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Prior:
    """One parameter's prior.

    Attributes:
        path: the key path the parameter sets.
        kind: ``uniform``, ``loguniform`` or ``normal``.
        low: lower bound (in the parameter's own units).
        high: upper bound.
        mean: the normal prior's mean (ignored otherwise).
        sd: the normal prior's standard deviation (ignored otherwise).
        integer: round values to integers before a run.
    """

    path: str
    kind: str
    low: float
    high: float
    mean: float = 0.0
    sd: float = 1.0
    integer: bool = False

    # ------------------------------------------------------------ working space

    @property
    def w_low(self) -> float:
        """Lower bound in the working space."""
        return float(np.log(self.low)) if self.kind == "loguniform" else self.low

    @property
    def w_high(self) -> float:
        """Upper bound in the working space."""
        return float(np.log(self.high)) if self.kind == "loguniform" else self.high

    def to_working(self, x: np.ndarray) -> np.ndarray:
        """Parameter values -> working space."""
        return np.log(x) if self.kind == "loguniform" else np.asarray(x, dtype=float)

    def from_working(self, w: np.ndarray) -> np.ndarray:
        """Working space -> parameter values."""
        return np.exp(w) if self.kind == "loguniform" else np.asarray(w, dtype=float)

    def _truncnorm(self):
        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return stats.truncnorm(a, b, loc=self.mean, scale=self.sd)

    def sample_working(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draws from the prior, in the working space."""
        if self.kind == "normal":
            return self._truncnorm().rvs(size=size, random_state=rng)
        return rng.uniform(self.w_low, self.w_high, size)

    def density_working(self, w: np.ndarray) -> np.ndarray:
        """Prior density in the working space (0 outside the bounds)."""
        w = np.asarray(w, dtype=float)
        inside = (w >= self.w_low) & (w <= self.w_high)
        if self.kind == "normal":
            return np.where(inside, self._truncnorm().pdf(w), 0.0)
        return np.where(inside, 1.0 / (self.w_high - self.w_low), 0.0)

    def sd_working(self) -> float:
        """Standard deviation of the prior in the working space."""
        if self.kind == "normal":
            return float(self._truncnorm().std())
        return (self.w_high - self.w_low) / np.sqrt(12.0)

    def row(self) -> dict:
        """The prior as the first columns of a parameter table: parameter, prior, low, high, prior_sd."""
        return {
            "parameter": self.path,
            "prior": self.kind,
            "low": self.low,
            "high": self.high,
            "prior_sd": self.sd_value(),
        }

    def sd_value(self) -> float:
        """Standard deviation of the prior in the parameter's own units."""
        if self.kind == "normal":
            return float(self._truncnorm().std())
        if self.kind == "uniform":
            return (self.high - self.low) / np.sqrt(12.0)
        # log-uniform on [a, b]: closed form moments
        a, b = self.low, self.high
        m1 = (b - a) / np.log(b / a)
        m2 = (b * b - a * a) / (2.0 * np.log(b / a))
        return float(np.sqrt(max(m2 - m1 * m1, 0.0)))


def joint_density(priors: list[Prior], w: np.ndarray) -> np.ndarray:
    """(n,) product of the priors' densities at working-space points ``w`` (n, d)."""
    out = np.ones(w.shape[0])
    for j, p in enumerate(priors):
        out *= p.density_working(w[:, j])
    return out


def sample(priors: list[Prior], rng: np.random.Generator, size: int) -> np.ndarray:
    """(size, d) draws from the joint prior (independent parameters), working space."""
    return np.column_stack([p.sample_working(rng, size) for p in priors])


def inside(priors: list[Prior], w: np.ndarray) -> np.ndarray:
    """(n,) whether each working-space point lies within every parameter's bounds."""
    ok = np.ones(w.shape[0], bool)
    for j, p in enumerate(priors):
        ok &= (w[:, j] >= p.w_low) & (w[:, j] <= p.w_high)
    return ok


def to_values(priors: list[Prior], w: np.ndarray) -> np.ndarray:
    """(n, d) parameter values from working-space points (integers rounded)."""
    cols = []
    for j, p in enumerate(priors):
        v = p.from_working(w[:, j])
        cols.append(np.round(v) if p.integer else v)
    return np.column_stack(cols)
