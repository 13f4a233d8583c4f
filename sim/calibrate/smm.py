"""Simulated method of moments: a point estimate with standard errors, on common random numbers.

The estimate minimises ``J(theta) = g' W g`` with ``g = m(theta) - m*`` the simulated targets'
deviations (each simulated moment the mean of ``S`` runs with the same seeds at every theta, so
that J is a smooth function of the parameters) and ``W`` the weighting matrix: ``diagonal``
(1 / sd**2 of each target) or ``two-step`` (first the diagonal estimate, then the inverse of the
estimated covariance of g at it, the efficient weighting).

Search: a Latin hypercube of ``starts`` points over the prior's box (one batch of runs), then
Nelder-Mead from the best of them (scipy), in the working space scaled to the unit box.
Standard errors: the sandwich ``(G'WG)^-1 G'W Omega W G (G'WG)^-1`` with ``G`` the Jacobian of
the simulated moments by central differences (one batch) and ``Omega = diag(sd**2) + Sigma/S`` the
targets' variance plus the simulation noise of the S-run mean (Sigma estimated from the S runs at
the estimate; zero when S = 1). With more targets than parameters and two-step weighting, ``J``
at the estimate is the test of the overidentifying restrictions, chi-squared with m - d degrees
of freedom (Hansen 1982; for simulated moments Gourieroux, Monfort and Renault 1993).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.stats import qmc

from sim.calibrate.priors import Prior, to_values

SimulateRuns = Callable[[np.ndarray, int, int], np.ndarray]
"""``simulate(values (k, d), stage, block) -> runs (k, S, m)``, the same S seeds for every row."""


@dataclass(frozen=True)
class SMMSettings:
    """Search and weighting of an SMM estimate."""

    starts: int = 32
    max_evaluations: int = 200
    weighting: str = "diagonal"
    step: float = 0.01


@dataclass
class SMMResult:
    """An SMM estimate.

    Attributes:
        priors: the parameters (their bounds are the search box).
        estimate: (d,) parameter values.
        se: (d,) standard errors in the parameters' units (delta method for log-scaled ones).
        moments: (m,) simulated targets at the estimate.
        j: the objective at the estimate.
        j_test: (statistic, degrees of freedom, p-value) of the overidentifying restrictions, or None.
        evaluations: every point evaluated: stage, parameter values, objective.
        stopped: how the search ended.
    """

    priors: list[Prior]
    estimate: np.ndarray
    se: np.ndarray
    moments: np.ndarray
    j: float
    j_test: tuple[float, int, float] | None
    evaluations: pd.DataFrame = field(repr=False)
    stopped: str = ""


def smm(
    priors: list[Prior],
    simulate: SimulateRuns,
    target: np.ndarray,
    sd: np.ndarray,
    settings: SMMSettings,
    seed: int,
) -> SMMResult:
    """Estimate the parameters by SMM (see the module docstring)."""
    d = len(priors)
    lo = np.array([p.w_low for p in priors])
    width = np.array([p.w_high for p in priors]) - lo
    log: list[dict] = []

    def values(u: np.ndarray) -> np.ndarray:
        return to_values(priors, lo + np.clip(u, 0.0, 1.0) * width)

    def runs(u: np.ndarray, stage: int, block: int) -> np.ndarray:
        return np.asarray(simulate(values(u), stage, block), dtype=float)

    def objective(mom: np.ndarray, w: np.ndarray) -> np.ndarray:
        g = mom - target[None, :]
        j = np.einsum("ki,ij,kj->k", g, w, g)
        return np.where(np.isfinite(j), j, np.inf)

    def search(w: np.ndarray, start: np.ndarray, stage: int) -> tuple[np.ndarray, str]:
        counter = {"block": 0}

        def f(u: np.ndarray) -> float:
            counter["block"] += 1
            r = runs(u[None, :], stage, counter["block"])
            val = float(objective(r.mean(axis=1), w)[0])
            log.append(
                {"stage": stage, **dict(zip([p.path for p in priors], values(u[None, :])[0], strict=True)), "j": val}
            )
            return val

        res = optimize.minimize(
            f,
            start,
            method="Nelder-Mead",
            bounds=[(0.0, 1.0)] * d,
            options={
                "maxfev": settings.max_evaluations,
                "xatol": 1e-4,
                "fatol": 1e-8,
                "initial_simplex": _simplex(start),
            },
        )
        return np.clip(res.x, 0.0, 1.0), str(res.message)

    w_diag = np.diag(1.0 / sd**2)
    sampler = qmc.LatinHypercube(d=d, seed=np.random.default_rng([int(seed), 0x5AA]))
    u0 = sampler.random(settings.starts)
    r0 = runs(u0, 0, 0)
    j0 = objective(r0.mean(axis=1), w_diag)
    for k in range(len(u0)):
        log.append(
            {
                "stage": 0,
                **dict(zip([p.path for p in priors], values(u0[k : k + 1])[0], strict=True)),
                "j": float(j0[k]),
            }
        )
    if not np.isfinite(j0).any():
        raise RuntimeError("every starting point's runs failed")
    u_hat, message = search(w_diag, u0[int(np.argmin(j0))], 1)
    w = w_diag
    at = runs(u_hat[None, :], 2, 0)[0]  # (S, m)
    omega = np.diag(sd**2) + (
        np.cov(at, rowvar=False, ddof=1).reshape(len(sd), len(sd)) / at.shape[0] if at.shape[0] > 1 else 0.0
    )
    if settings.weighting == "two-step":
        w = np.linalg.inv(omega)
        u_hat, message = search(w, u_hat, 3)
        at = runs(u_hat[None, :], 4, 0)[0]
    moments = at.mean(axis=0)
    # Jacobian in the working space, by central differences (one batch of 2d points)
    h = settings.step
    pts = np.vstack([np.clip(u_hat + sgn * h * np.eye(d)[j], 0.0, 1.0) for j in range(d) for sgn in (1.0, -1.0)])
    rj = runs(pts, 5, 0).mean(axis=1)
    G = np.empty((len(target), d))
    for j in range(d):
        du = (pts[2 * j, j] - pts[2 * j + 1, j]) * width[j]
        G[:, j] = (rj[2 * j] - rj[2 * j + 1]) / du if du > 0 else 0.0
    bread = G.T @ w @ G
    try:
        inv = np.linalg.inv(bread)
        cov = inv @ (G.T @ w @ omega @ w @ G) @ inv
        se_w = np.sqrt(np.maximum(np.diag(cov), 0.0))
    except np.linalg.LinAlgError:
        se_w = np.full(d, np.inf)
    est = values(u_hat[None, :])[0]
    se = np.array([se_w[j] * (est[j] if p.kind == "loguniform" else 1.0) for j, p in enumerate(priors)])
    g = moments - target
    j_val = float(g @ w @ g)
    j_test = None
    if settings.weighting == "two-step" and len(target) > d:
        df = len(target) - d
        j_test = (j_val, df, float(stats.chi2.sf(j_val, df)))
    return SMMResult(priors, est, se, moments, j_val, j_test, pd.DataFrame(log), message)


def _simplex(start: np.ndarray) -> np.ndarray:
    """An initial simplex of 10% of the box around the start, inside the box."""
    d = len(start)
    pts = [start]
    for j in range(d):
        step = np.zeros(d)
        step[j] = 0.1 if start[j] <= 0.9 else -0.1
        pts.append(start + step)
    return np.array(pts)


def summarise_smm(result: SMMResult, level: float = 0.9) -> pd.DataFrame:
    """One row per parameter: estimate, standard error, normal ``level`` interval, identified."""
    z = stats.norm.ppf(0.5 + level / 2.0)
    rows = []
    for j, p in enumerate(result.priors):
        est, se = float(result.estimate[j]), float(result.se[j])
        prior_sd = p.sd_value()
        rows.append(
            {
                **p.row(),
                "estimate": est,
                "se": se,
                "lower": est - z * se,
                "upper": est + z * se,
                "sd_ratio": se / prior_sd if prior_sd > 0 else np.nan,
                "identified": bool(np.isfinite(se) and se < 0.8 * prior_sd),
            }
        )
    return pd.DataFrame(rows)
