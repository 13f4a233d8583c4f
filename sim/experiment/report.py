"""Words for an experiment: one sentence per effect, and ``report.md``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import style
from sim.experiment.figures import figure_name
from sim.metrics import Metric

if TYPE_CHECKING:
    from sim.experiment.run import Comparison


def fmt(x: float, digits: int = 2) -> str:
    """A number with ``digits`` significant digits, positional, thousands separated."""
    if x is None or not math.isfinite(x):
        return "n/a" if x is None or math.isnan(x) else ("∞" if x > 0 else "-∞")
    if x == 0:
        return "0"
    if abs(x) >= 10**digits:
        return f"{x:,.0f}"
    return np.format_float_positional(x, precision=digits, unique=False, fractional=False, trim="-")


def digits_apart(lo: float, hi: float, start: int = 2, most: int = 6) -> int:
    """Fewest significant digits (from ``start``) that print ``lo`` and ``hi`` differently."""
    d = start
    while d < most and lo != hi and fmt(lo, d) == fmt(hi, d):
        d += 1
    return d


def _scale(m: Metric) -> tuple[float, str]:
    """(factor, unit words) for numbers in sentences (percent for shares of GDP and the index)."""
    factor, unit = style.metric_scale(m)
    if unit.startswith("%"):
        return factor, unit
    if m.kind == "cycle":
        return factor, f" {unit}" if unit in ("years", "pp of world GDP") else ""
    return factor, (f" {unit}" if unit.startswith("USD") else "")


def _when(m: Metric) -> str:
    lo, hi = m.window
    span = f"over ticks {lo}-{hi}"
    if m.stat == "at":
        return f"at tick {m.at}"
    return {
        "mean": f"on average {span}",
        "sum": f"cumulated {span}",
        "max": f"at its peak {span}",
        "min": f"at its lowest {span}",
    }.get(m.stat, span)


def sentence(comp: Comparison, row: dict[str, Any]) -> str:
    """One sentence: With <arm>, <metric> is <size> <higher|lower> <when> (95% CI a to b),
    <higher|lower> in k of n seeds. The interval is the paired-t one, oriented like the effect.
    """
    m = next(x for x in comp.metrics if x.name == row["metric"])
    arm = next(a for a in comp.experiment.arms if a.name == row["arm"])
    label = m.label.removesuffix(" (share of GDP)")
    subject = "the" + label[3:] if label.startswith("The ") else label
    last = subject.split()[-1] if subject.split() else ""
    verb = "are" if last.endswith("s") and not last.endswith(("'s", "ss")) else "is"
    opening = f"With {arm.label}, {subject}"
    n = int(row["n"])
    if n == 0:
        return f"{opening}: no seed finished in both arms, so there is no estimate."
    if row["n_same"] == n:
        why = " (the arm runs exactly what the base runs)" if arm.name in comp.experiment.null_arms else ""
        return f"{opening} {verb} exactly the same as in the base in all {n} seeds{why}."
    factor, unit = _scale(m)
    mean = row["mean_diff"] * factor
    direction = "higher" if mean > 0 else "lower"
    sign = 1.0 if mean > 0 else -1.0
    lo, hi = sorted((sign * row["t_low"] * factor, sign * row["t_high"] * factor))
    d = digits_apart(lo, hi) if n >= 2 else 2
    text = f"{opening} {verb} {fmt(abs(mean), d)}{unit} {direction} {_when(m)}"
    if n >= 2:
        text += f" (95% CI {fmt(lo, d)} to {fmt(hi, d)}"
        text += "; the interval includes zero)" if lo <= 0 <= hi else ")"
    agree = int(row["sign_agreement"])
    text += f", {direction} in {agree} of {n} seeds."
    expected = row.get("expected") or ""
    if expected:
        text += " As claimed." if row.get("holds") else f" The claim ({expected}) does NOT hold."
    return text


def _table(comp: Comparison) -> str:
    head = "| arm | metric | base | arm | difference | 95% CI (t) | 95% CI (bootstrap) | in SDs | seeds agreeing |"
    lines = [head, "|" + "---|" * 9]
    for row in comp.effects.to_dict("records"):
        m = next(x for x in comp.metrics if x.name == row["metric"])
        f, unit = style.metric_scale(m)
        unit = unit if unit.startswith(("%", "pp")) else ""
        d = digits_apart(row["t_low"] * f, row["t_high"] * f)
        lines.append(
            f"| {row['arm']} | {m.label} | {fmt(row['base_mean'] * f, 3)} | {fmt(row['arm_mean'] * f, 3)} "
            f"| {fmt(row['mean_diff'] * f, d)}{(' ' + unit) if unit else ''} "
            f"| {fmt(row['t_low'] * f, d)} to {fmt(row['t_high'] * f, d)} "
            f"| {fmt(row['boot_low'] * f, d)} to {fmt(row['boot_high'] * f, d)} "
            f"| {fmt(row['effect_sd'])} | {int(row['sign_agreement'])}/{int(row['n'])} |"
        )
    return "\n".join(lines)


def effect_table(comp: Comparison) -> str:
    """The effect table as markdown (values in % of GDP for share-of-GDP metrics)."""
    return _table(comp)


def markdown(comp: Comparison) -> str:
    """The whole report.md."""
    exp = comp.experiment
    out = [f"# Experiment: {exp.name}", ""]
    if exp.description:
        out += [exp.description.strip(), ""]
    scn = exp.scenario
    out += [
        f"Base scenario: `{scn.simulation.name}` ({len(scn.country)} countries, {scn.simulation.ticks} ticks). "
        f"{len(exp.seeds)} seeds (master seed {exp.master_seed}); every arm runs the same seeds.",
        "",
        "Arms:",
        "",
    ]
    for a in exp.arms[1:]:
        changes = "; ".join(f"`{c}`" for c in a.changes) or "no change"
        out.append(f"- **{a.name}** — {a.label}: {changes}")
    claims = comp.claims
    if len(claims):
        held = int(claims["holds"].astype(bool).sum())
        out += ["", "## Claims", ""]
        out.append(
            f"{held} of {len(claims)} claims hold (a claim holds when the whole paired-t 95% interval "
            "of the difference lies on the claimed side of zero):"
        )
        out.append("")
        for r in claims.to_dict("records"):
            m = next(x for x in comp.metrics if x.name == r["metric"])
            mark = "holds" if r["holds"] else "DOES NOT HOLD"
            out.append(f"- {r['arm']}: {m.label} {r['expected']} than the base — {mark}")
    out += ["", "## Effects", ""]
    out += [f"- {s}" for s in comp.sentences()]
    out += [
        "",
        _table(comp),
        "",
        "Difference = arm - base, mean over seeds; CI: 95% confidence intervals of the mean paired "
        "difference (paired t; expanded-percentile bootstrap); in SDs: the difference divided by the "
        "base's standard deviation across seeds. Share-of-GDP metrics are in percent of GDP.",
        "",
    ]
    if comp.warnings:
        out += ["## Warnings", ""] + [f"- {w}" for w in comp.warnings] + [""]
    series_metrics = [m for m in exp.metrics if m.kind != "cycle"]
    if series_metrics and comp.path is not None and (comp.path / "figures").exists():
        out += ["## Figures", ""]
        for arm in comp.arms:
            for m in series_metrics:
                name = figure_name(arm, m.name)
                if (comp.path / "figures" / name).exists():
                    out += [f"![{arm}: {m.label}](figures/{name})", ""]
    if comp.summary is not None:
        s = comp.summary
        out += [
            "## Runs",
            "",
            f"{s.total} distinct runs: {s.found} found finished, {s.ran} run now ({s.failed} failed) "
            f"in {s.seconds:.1f} s ({s.where}).",
            "",
        ]
    failed = comp.values[comp.values["status"] != "ok"].drop_duplicates(["arm", "seed_index"])
    for r in failed.head(10).to_dict("records"):
        out.append(f"- failed: arm {r['arm']}, seed {r['seed']}: {r['error']}")
    return "\n".join(out).rstrip() + "\n"
