"""Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC), deterministic.

The population Monte Carlo scheme of Beaumont, Cornuet, Marin and Robert (2009, Biometrika 96:
983-990) with the adaptive tolerance of Del Moral, Doucet and Jasra (2012): generation 0 draws
``population`` particles from the prior; generation t >= 1 sets its tolerance eps_t to the
``quantile`` of the previous generation's (weighted) distances, proposes particles by drawing an
ancestor by weight and perturbing it with a Gaussian kernel of twice the previous population's
weighted covariance, keeps the first ``population`` proposals (in proposal order) whose distance
is at most eps_t, and weights them by prior / (mixture of kernels).

Why not pyabc's samplers: they draw and simulate one particle at a time inside a closure,
reseed worker processes from entropy (two runs never give the same posterior) and bypass this
project's batch layer (code fingerprint, stored results, resume, kill safety). Here every draw
comes from a random stream named by (seed, generation, block), proposals are evaluated in blocks
by any ``simulate`` function — the batch layer for the model, a vectorised function for toy
problems — and the result depends only on the inputs, never on how many workers ran the blocks
or whether the run was interrupted and resumed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.calibrate.priors import Prior, inside, joint_density, sample, to_values

Simulate = Callable[[np.ndarray, int, int], np.ndarray]
"""``simulate(values (k, d), generation, block) -> summaries (k, m)``: NaN marks a failed run."""


@dataclass(frozen=True)
class SMCSettings:
    """Budget and tuning of an ABC-SMC run.

    Attributes:
        population: accepted particles per generation.
        generations: largest number of generations (generation 0, from the prior, included).
        quantile: eps_t is this quantile of the previous generation's distances.
        min_epsilon: stop once the tolerance falls to this distance.
        max_evaluations: proposals evaluated per generation at most (then the generation ends
            with fewer particles, and the run stops there).
        min_acceptance: stop when a generation accepts fewer than this share of its proposals.
    """

    population: int = 200
    generations: int = 6
    quantile: float = 0.5
    min_epsilon: float = 0.0
    max_evaluations: int = 100_000
    min_acceptance: float = 0.0


@dataclass
class Generation:
    """One accepted population.

    Attributes:
        t: generation index.
        epsilon: tolerance (inf for generation 0).
        values: (n, d) parameter values.
        working: (n, d) the same in the sampler's working space.
        weights: (n,) normalised importance weights.
        distances: (n,) distances of the accepted particles.
        summaries: (n, m) their simulated summaries.
        evaluations: proposals evaluated in this generation.
    """

    t: int
    epsilon: float
    values: np.ndarray
    working: np.ndarray
    weights: np.ndarray
    distances: np.ndarray
    summaries: np.ndarray
    evaluations: int

    @property
    def acceptance(self) -> float:
        """Accepted particles per evaluated proposal."""
        return len(self.weights) / max(self.evaluations, 1)

    @property
    def ess(self) -> float:
        """Effective sample size of the weights."""
        return float(1.0 / np.sum(self.weights**2))


@dataclass
class SMCResult:
    """All generations of a run; the last is the posterior sample.

    Attributes:
        priors: the parameters' priors.
        generations: the accepted populations, in order.
        stopped: why the run ended.
    """

    priors: list[Prior]
    generations: list[Generation] = field(default_factory=list)
    stopped: str = ""

    @property
    def posterior(self) -> Generation:
        """The last generation."""
        return self.generations[-1]

    def table(self) -> pd.DataFrame:
        """Every generation's particles: generation, epsilon, weight, distance, one column per parameter."""
        frames = []
        for g in self.generations:
            df = pd.DataFrame(g.values, columns=[p.path for p in self.priors])
            df.insert(0, "generation", g.t)
            df.insert(1, "epsilon", g.epsilon)
            df.insert(2, "weight", g.weights)
            df.insert(3, "distance", g.distances)
            frames.append(df)
        return pd.concat(frames, ignore_index=True)


def distance(summaries: np.ndarray, target: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(k,) root mean square of the scaled deviations from the targets; inf for failed runs."""
    z = (summaries - target[None, :]) / scale[None, :]
    d = np.sqrt(np.mean(z * z, axis=1))
    return np.where(np.isfinite(d), d, np.inf)


def weighted_quantile(x: np.ndarray, weights: np.ndarray, q: float | np.ndarray) -> np.ndarray:
    """Quantile(s) of ``x`` under normalised ``weights`` (inverse of the weighted CDF, midpoint rule)."""
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], weights[order]
    cdf = np.cumsum(ws) - 0.5 * ws
    cdf /= ws.sum()
    return np.interp(q, cdf, xs)


def _stream(seed: int, t: int, block: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), 0x5ABC, int(t), int(block)]))


def abc_smc(
    priors: list[Prior],
    simulate: Simulate,
    target: np.ndarray,
    scale: np.ndarray,
    settings: SMCSettings,
    seed: int,
    *,
    on_generation: Callable[[Generation], None] | None = None,
) -> SMCResult:
    """Run ABC-SMC.

    Args:
        priors: one per parameter.
        simulate: evaluates a block of parameter values (see :data:`Simulate`).
        target: (m,) target summaries.
        scale: (m,) each target's tolerance or standard error: deviations are divided by it.
        settings: budget and tuning.
        seed: the run's seed; every random draw derives from it.
        on_generation: called with each accepted population (progress, checkpoints).

    Returns:
        The populations and why the run stopped.
    """
    target = np.asarray(target, dtype=float)
    scale = np.asarray(scale, dtype=float)
    n = settings.population
    result = SMCResult(priors)
    # generation 0: the prior
    w0 = sample(priors, _stream(seed, 0, 0), n)
    s0 = np.asarray(simulate(to_values(priors, w0), 0, 0), dtype=float)
    d0 = distance(s0, target, scale)
    ok = np.isfinite(d0)
    gen = Generation(0, np.inf, to_values(priors, w0)[ok], w0[ok], _normalise(np.ones(ok.sum())), d0[ok], s0[ok], n)
    result.generations.append(gen)
    if on_generation:
        on_generation(gen)
    if not ok.any():
        result.stopped = "every run of the prior sample failed"
        return result
    for t in range(1, settings.generations):
        prev = result.generations[-1]
        eps = float(weighted_quantile(prev.distances, prev.weights, settings.quantile))
        if prev.epsilon < np.inf and eps >= prev.epsilon:
            eps = float(np.nextafter(prev.epsilon, -np.inf)) if prev.epsilon > 0 else 0.0
        cov = 2.0 * _weighted_cov(prev.working, prev.weights)
        chol = _chol(cov)
        acc_w: list[np.ndarray] = []
        acc_d: list[np.ndarray] = []
        acc_s: list[np.ndarray] = []
        evaluated = 0
        block = 0
        rate = max(prev.acceptance * settings.quantile, 0.02) if t > 1 else settings.quantile
        while sum(len(a) for a in acc_w) < n and evaluated < settings.max_evaluations:
            need = n - sum(len(a) for a in acc_w)
            size = int(min(max(np.ceil(1.2 * need / rate), 16), settings.max_evaluations - evaluated))
            rng = _stream(seed, t, block)
            anc = rng.choice(len(prev.weights), size=size, p=prev.weights)
            prop = prev.working[anc] + rng.standard_normal((size, len(priors))) @ chol.T
            prop = prop[inside(priors, prop)]
            block += 1
            if not len(prop):
                continue
            summ = np.asarray(simulate(to_values(priors, prop), t, block - 1), dtype=float)
            dist = distance(summ, target, scale)
            evaluated += len(prop)
            keep = dist <= eps
            acc_w.append(prop[keep])
            acc_d.append(dist[keep])
            acc_s.append(summ[keep])
            rate = max(sum(len(a) for a in acc_w) / evaluated, 0.01)
        wk = np.concatenate(acc_w)[:n]
        dk = np.concatenate(acc_d)[:n]
        sk = np.concatenate(acc_s)[:n]
        if not len(wk):
            result.stopped = f"generation {t} accepted no particle within {evaluated} evaluations"
            break
        weights = joint_density(priors, wk) / _kernel_mixture(wk, prev.working, prev.weights, cov)
        gen = Generation(t, eps, to_values(priors, wk), wk, _normalise(weights), dk, sk, evaluated)
        result.generations.append(gen)
        if on_generation:
            on_generation(gen)
        if len(wk) < n:
            result.stopped = (
                f"generation {t} reached its budget ({evaluated} evaluations) with {len(wk)} of {n} particles"
            )
            break
        if gen.acceptance < settings.min_acceptance:
            result.stopped = f"acceptance fell to {gen.acceptance:.3g} (below {settings.min_acceptance:g})"
            break
        if eps <= settings.min_epsilon:
            result.stopped = f"tolerance {eps:.4g} reached min_epsilon"
            break
    if not result.stopped:
        result.stopped = f"{len(result.generations)} generations run"
    return result


def _normalise(w: np.ndarray) -> np.ndarray:
    return w / w.sum()


def _weighted_cov(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    mean = w @ x
    dev = x - mean
    cov = (dev * w[:, None]).T @ dev / max(1.0 - np.sum(w**2), 1e-12)
    return np.atleast_2d(cov)


def _chol(cov: np.ndarray) -> np.ndarray:
    d = cov.shape[0]
    jitter = 1e-12 * max(float(np.trace(cov)) / d, 1e-300)
    for _ in range(20):
        try:
            return np.linalg.cholesky(cov + jitter * np.eye(d))
        except np.linalg.LinAlgError:
            jitter *= 10.0
    return np.diag(np.sqrt(np.maximum(np.diag(cov), 1e-300)))


def _kernel_mixture(x: np.ndarray, centres: np.ndarray, weights: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """(k,) sum_j w_j N(x_i; centre_j, cov), in blocks so memory stays small."""
    d = cov.shape[0]
    inv = np.linalg.inv(cov)
    sign, logdet = np.linalg.slogdet(cov)
    norm = -0.5 * (d * np.log(2.0 * np.pi) + logdet)
    out = np.empty(len(x))
    for lo in range(0, len(x), 512):
        diff = x[lo : lo + 512, None, :] - centres[None, :, :]
        q = np.einsum("kjd,de,kje->kj", diff, inv, diff)
        out[lo : lo + 512] = np.exp(norm - 0.5 * q) @ weights
    return np.maximum(out, 1e-300)


def summarise(result: SMCResult, level: float = 0.9) -> pd.DataFrame:
    """One row per parameter: prior sd, posterior mean, sd, median and central ``level`` interval
    (weighted), and whether the data identify it (posterior sd below 0.8 of the prior's).
    """
    post = result.posterior
    rows = []
    lo_q, hi_q = (1.0 - level) / 2.0, 1.0 - (1.0 - level) / 2.0
    for j, p in enumerate(result.priors):
        x = post.values[:, j]
        w = post.weights
        mean = float(w @ x)
        sd = float(np.sqrt(max(w @ (x - mean) ** 2, 0.0)))
        lo, med, hi = weighted_quantile(x, w, np.array([lo_q, 0.5, hi_q]))
        prior_sd = p.sd_value()
        rows.append(
            {
                **p.row(),
                "mean": mean,
                "sd": sd,
                "median": float(med),
                "lower": float(lo),
                "upper": float(hi),
                "sd_ratio": sd / prior_sd if prior_sd > 0 else np.nan,
                "identified": bool(sd < 0.8 * prior_sd),
            }
        )
    return pd.DataFrame(rows)
