"""Writing a scorecard: ``score.md``, ``score.csv`` and one figure per economy.

Files are written under a hidden temporary name and renamed into place, so an interrupted
write never leaves a half-written file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.history.facts import QUANTITIES
from sim.history.score import Scorecard, annual_values
from sim.results import Results


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _fmt(x: float) -> str:
    if x is None or not np.isfinite(x):
        return "—"
    return f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}"


def markdown(card: Scorecard, *, title: str, facts_file: str, n_runs: int) -> str:
    """The scorecard as Markdown: the summary by sample, then one table per sample."""
    lines = [f"# Scorecard: {title}", ""]
    lines.append(
        f"Facts: `{facts_file}`. Model values are the median over {n_runs} run{'s' if n_runs != 1 else ''}. "
        f"In-sample: facts ending in or before {card.split}; out-of-sample: later. "
        "Normalised error: distance from the fact in half-bands (at most 1 passes); the distance is its mean "
        "over the covered facts."
    )
    lines += ["", "| sample | facts | covered | passed | distance |", "|---|---|---|---|---|"]
    for label, key in (("in-sample", "in"), ("out-of-sample", "out"), ("all", None)):
        s = card.summary(key)
        lines.append(f"| {label} | {s['facts']} | {s['covered']} | {s['passed']} | {_fmt(s['distance'])} |")
    unmapped = sorted(e for e, m in card.mapping.items() if not m)
    if unmapped:
        lines += ["", f"Not in the model (facts not covered): {', '.join(unmapped)}."]
    mapped = {e: m for e, m in card.mapping.items() if m and m != [e] and e != "World"}
    if mapped:
        lines += [
            "",
            "Economies mapped to model countries: "
            + "; ".join(f"{e} = {' + '.join(m)}" for e, m in sorted(mapped.items()))
            + ".",
        ]
    for label, key in (("In-sample", "in"), ("Out-of-sample", "out")):
        t = card.table[card.table["sample"] == key]
        lines += ["", f"## {label}", ""]
        if t.empty:
            lines.append("No facts.")
            continue
        lines += ["| economy | year | quantity | unit | fact | band | model | error | result | quality | source |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for f in t.itertuples(index=False):
            econ = f"{f.economy} with {f.partner}" if f.partner else f.economy
            result = "—" if pd.isna(f.passed) else ("pass" if f.passed else "**fail**")
            lines.append(
                f"| {econ} | {f.year} | {f.quantity} | {QUANTITIES[f.quantity].unit} | {_fmt(f.value)} | "
                f"[{_fmt(f.low)}, {_fmt(f.high)}] | {_fmt(f.model)} | {_fmt(f.error)} | {result} | {f.quality} | {f.source} |"
            )
    return "\n".join(lines) + "\n"


def annual_paths(runs: Sequence[Results], card: Scorecard) -> pd.DataFrame:
    """Median over runs of each (economy, partner, quantity) of the facts, every year of the run.

    Returns:
        Columns economy, partner, quantity, year, model.
    """
    keys = card.table[["economy", "partner", "quantity"]]
    every = pd.concat([annual_values(r, keys, card.mapping) for r in runs], ignore_index=True)
    return every.groupby(["economy", "partner", "quantity", "year"], as_index=False)["model"].median()


def figures(runs: Sequence[Results], card: Scorecard, out: Path) -> list[Path]:
    """One PNG per economy: each of its quantities over the run's years, facts as bands."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = annual_paths(runs, card)
    written = []
    for econ, facts in card.table.groupby("economy", sort=True):
        keys = facts[["partner", "quantity"]].drop_duplicates().itertuples(index=False)
        keys = list(keys)
        fig, axes = plt.subplots(len(keys), 1, figsize=(9, 3.2 * len(keys)), squeeze=False)
        for ax, (partner, quantity) in zip(axes[:, 0], keys, strict=True):
            p = paths[(paths["economy"] == econ) & (paths["partner"] == partner) & (paths["quantity"] == quantity)]
            ax.plot(p["year"], p["model"], color="#0072B2", lw=2.2, label="model (median)")
            f = facts[(facts["partner"] == partner) & (facts["quantity"] == quantity)]
            mid = (f["start"] + f["end"]) / 2
            ax.errorbar(mid, f["value"], yerr=[f["value"] - f["low"], f["high"] - f["value"]],
                        xerr=(f["end"] - f["start"]) / 2, fmt="o", color="#D55E00", capsize=4, label="fact (band)")  # fmt: skip
            ax.axvline(card.split + 0.5, color="#999999", ls=":", lw=1)
            what = f"{quantity} with {partner}" if partner else quantity
            ax.set_title(f"{econ}: {what} ({QUANTITIES[quantity].unit})", fontsize=11)
            ax.axhline(0, color="#cccccc", lw=0.8)
        axes[0, 0].legend(fontsize=9, loc="best")
        fig.tight_layout()
        path = out / f"score_{re.sub(r'[^A-Za-z0-9]+', '_', econ).strip('_')}.png"
        tmp = path.with_name(f".{path.name}.tmp.png")
        fig.savefig(tmp, dpi=90)
        plt.close(fig)
        os.replace(tmp, path)
        written.append(path)
    return written


def write(
    runs: Sequence[Results], card: Scorecard, out: str | Path, *, title: str, facts_file: str, figures_too: bool = True
) -> Path:
    """Write ``score.md``, ``score.csv`` and (unless ``figures_too`` is False) the figures into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _write_text(out / "score.md", markdown(card, title=title, facts_file=facts_file, n_runs=len(runs)))
    cols = ["economy", "partner", "year", "quantity", "value", "low", "high", "model", "seeds", "error", "passed",
            "sample", "quality", "source", "line"]  # fmt: skip
    _write_text(out / "score.csv", card.table[cols].to_csv(index=False))
    if figures_too:
        figures(runs, card, out)
    return out
