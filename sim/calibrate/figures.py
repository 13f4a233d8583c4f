"""Figures of a calibration: prior against posterior, pairwise posterior, predictive check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.priors import Prior
from sim.calibrate.smc import SMCResult


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def marginals_figure(priors: list[Prior], smc: SMCResult, path: Path) -> None:
    """One panel per parameter: the prior's density and the weighted posterior histogram."""
    plt = _plt()
    d = len(priors)
    fig, axes = plt.subplots(1, d, figsize=(4.2 * d, 3.4), squeeze=False)
    post = smc.posterior
    for j, (p, ax) in enumerate(zip(priors, axes[0], strict=True)):
        grid = np.linspace(p.low, p.high, 200)
        if p.kind == "loguniform":
            dens = 1.0 / (grid * (p.w_high - p.w_low))
        else:
            dens = p.density_working(grid)
        ax.plot(grid, dens, color="0.5", ls="--", label="prior")
        ax.hist(
            post.values[:, j],
            bins=30,
            weights=post.weights,
            density=True,
            color="#0072B2",
            alpha=0.7,
            label="posterior",
        )
        ax.set_xlabel(p.path, fontsize=9)
        ax.set_ylabel("density")
        ax.legend(fontsize=8)
    fig.suptitle(f"Prior and posterior (generation {post.t}, tolerance {post.epsilon:.3g})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def pairs_figure(priors: list[Prior], smc: SMCResult, path: Path) -> None:
    """The posterior particles for every pair of parameters (marker opacity by weight)."""
    plt = _plt()
    d = len(priors)
    post = smc.posterior
    fig, axes = plt.subplots(d - 1, d - 1, figsize=(3.6 * (d - 1), 3.4 * (d - 1)), squeeze=False)
    alpha = 0.15 + 0.85 * post.weights / post.weights.max()
    for r in range(1, d):
        for c in range(d - 1):
            ax = axes[r - 1][c]
            if c >= r:
                ax.axis("off")
                continue
            ax.scatter(post.values[:, c], post.values[:, r], s=8, color="#0072B2", alpha=alpha, linewidths=0)
            ax.set_xlim(priors[c].low, priors[c].high)
            ax.set_ylim(priors[r].low, priors[r].high)
            ax.set_xlabel(priors[c].path, fontsize=8)
            ax.set_ylabel(priors[r].path, fontsize=8)
    fig.suptitle("Posterior particles (axes span the prior's bounds)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def predictive_figure(predictive: pd.DataFrame, path: Path) -> None:
    """Each target (value +- sd) against the predictive median and 5-95% range, in units of the target's sd."""
    plt = _plt()
    k = len(predictive)
    fig, ax = plt.subplots(figsize=(7.0, 0.6 * k + 1.6))
    y = np.arange(k)
    sd = predictive["sd"].to_numpy(float)
    val = predictive["value"].to_numpy(float)
    lo = (predictive["lower"].to_numpy(float) - val) / sd
    hi = (predictive["upper"].to_numpy(float) - val) / sd
    med = (predictive["median"].to_numpy(float) - val) / sd
    ax.axvspan(-1, 1, color="0.9", label="target +- 1 sd")
    ax.hlines(y, lo, hi, color="#0072B2", lw=3, label="posterior runs, 5-95%")
    ax.plot(med, y, "o", color="#0072B2", label="posterior runs, median")
    ax.axvline(0, color="0.3", lw=1)
    ax.set_yticks(y, predictive["target"], fontsize=8)
    ax.set_xlabel("deviation from the target, in units of its sd")
    ax.set_title("Posterior predictive check")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
