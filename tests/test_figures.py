"""Every figure-producing command draws figures that say what they show: a title, axis labels
with units (percent of GDP, years...), colour bars with a label, no raw key names, and legends
that list only what is drawn. Read back from the matplotlib Figure objects as they are saved."""

from __future__ import annotations

import re

import matplotlib.figure
import numpy as np
import pytest
from matplotlib.colorbar import Colorbar
from matplotlib.lines import Line2D

import sim
from sim import analysis
from sim.sweep import build_sweep, run_sweep
from tests.conftest import ROOT, two_country

UNITS = ("%", "pp", "months", "years", "USD", "cycles", "share of variance", "delta", "dispersion", "value")
RAW = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")  # a key name such as cycle_mean_amplitude


@pytest.fixture
def saved(monkeypatch):
    figures: list[tuple[str, matplotlib.figure.Figure]] = []
    original = matplotlib.figure.Figure.savefig

    def record(self, fname, *args, **kwargs):
        figures.append((str(fname), self))
        return original(self, fname, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", record)
    return figures


def _colorbar_axes(fig) -> set:
    return {a for a in fig.axes if isinstance(getattr(a, "_colorbar", None), Colorbar)}


def check_figure(name: str, fig, scenario_names: set[str]) -> None:
    cbars = _colorbar_axes(fig)
    suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        if ax in cbars:
            label = ax.get_ylabel() or ax.get_xlabel()
            assert label, f"{name}: a colour bar without a label"
            assert any(u in label for u in UNITS), f"{name}: colour bar label without a unit: {label!r}"
            continue
        drawn = [ln for ln in ax.lines if len(ln.get_xdata())] + list(ax.collections) + list(ax.images)
        if not drawn and not ax.patches:
            continue
        assert ax.get_title() or suptitle or any(a.get_title() for a in fig.axes), f"{name}: no title"
        shared = ax.get_shared_x_axes().get_siblings(ax)
        assert any(o.get_xlabel() for o in shared), f"{name}: an axis without an x label"
        y = ax.get_ylabel()
        twin = [o for o in fig.axes if o is not ax and o.bbox.bounds == ax.bbox.bounds and o.get_ylabel()]
        assert y or twin, f"{name}: an axis without a y label"
        if ax.images:  # a heatmap: its axes are categories or parameters, its unit is on the colour bar
            assert cbars, f"{name}: a heatmap without a colour bar"
        elif y:
            assert any(u in y for u in UNITS), f"{name}: y label without a unit: {y!r}"
        for text in (ax.get_xlabel(), y):
            assert "tick" not in text.lower(), f"{name}: time in ticks ({text!r}); figures say years"
            assert not RAW.search(text), f"{name}: a raw key name in {text!r}"
        title = ax.get_title() + " " + suptitle
        for scn in scenario_names:
            title = title.replace(scn, "")
        assert not RAW.search(title), f"{name}: a raw key name in the title {title!r}"
        if "%" in y and not y.startswith("arm - base"):
            values = np.concatenate(
                [np.asarray(ln.get_ydata(), float) for ln in ax.lines if len(ln.get_ydata())] or [[0]]
            )
            finite = np.abs(values[np.isfinite(values)])
            assert finite.size == 0 or finite.max() == 0 or finite.max() > 0.05, f"{name}: fractions on a % axis"
        legend = ax.get_legend()
        if legend is not None:
            for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True):
                words = text.get_text()
                assert "the scenario" not in words and not RAW.search(words), f"{name}: legend {words!r}"
                if isinstance(handle, Line2D):
                    match = [ln for ln in ax.lines if ln.get_label() == words]
                    if match:
                        assert any(len(ln.get_xdata()) for ln in match), f"{name}: legend lists {words!r}, not drawn"


def check_all(figures, scenario_names):
    assert figures
    for name, fig in figures:
        check_figure(name, fig, scenario_names)


def test_run_overviews(saved, tmp_path):
    sim.run(ROOT / "scenarios" / "tariffs.toml", ticks=30, out=tmp_path)
    sim.run(two_country(), ticks=10, out=tmp_path)
    check_all(saved, {"tariffs", "two"})
    for _, fig in saved:
        # the legend sits below the panels, where it cannot cover a line
        assert all(ax.get_legend() is None for ax in fig.axes) and len(fig.legends) == 1
    no_reserves = saved[-1][1]
    assert "no country holds" in " ".join(t.get_text() for t in no_reserves.axes[2].texts)
    assert not no_reserves.axes[2].lines


def test_analysis_figures(saved, tmp_path):
    for path in ("baseline.toml", "endless_cycle.toml"):
        res = sim.run(ROOT / "scenarios" / path, ticks=120, out=tmp_path, figure=False)
        a = analysis.analyse(res)
        saved.clear()
        analysis.analyze_run(res.path)
        check_all(saved, {"baseline", "endless_cycle"})
        fig = next(f for n, f in saved if n.endswith("imbalance.png"))
        listed = {t.get_text() for t in fig.axes[0].get_legend().get_texts()}
        # the legend names only the phases that occur and the turning points that were dated
        assert listed & {"balance", "imbalance", "rebalancing"} == set(a.phases)
        assert ("peak" in listed) == bool(len(a.tp.peaks))
        assert ("trough" in listed) == bool(len(a.tp.troughs))


def test_compare_figures_and_table_units(saved, tmp_path):
    comp = sim.compare(
        ROOT / "scenarios" / "baseline.toml",
        {
            "thrifty": {"country.China.propensity_to_consume": 0.72},
            "tariffs": {"scenario": str(ROOT / "scenarios" / "tariffs.toml")},
        },
        seeds=2,
        ticks=20,
        out=tmp_path,
    )
    check_all(saved, set())
    from sim.experiment.report import effect_table

    table = effect_table(comp)
    index_row = next(line for line in table.splitlines() if "imbalance index" in line)
    assert "% of world GDP" in index_row  # percent like the current accounts beside it, not a fraction
    base = float(index_row.split("|")[3])
    assert base == pytest.approx(
        100 * comp.effects.set_index("metric").loc[comp.metrics[-1].name, "base_mean"].iloc[0], rel=0.01
    )


def test_sweep_plots(saved, tmp_path):
    import tomli_w

    base = tmp_path / "two.toml"
    base.write_text(tomli_w.dumps(two_country()))
    sweep = build_sweep(
        {
            "base": str(base),
            "ticks": 15,
            "sampler": "sobol",
            "samples": 4,
            "parameter": [
                {"path": "country.Poor.propensity_to_consume", "range": [0.7, 0.8]},
                {"path": "world.trade_cost", "range": [0.6, 1.0]},
            ],
            "metric": [
                {"name": "poor_ca", "country": "Poor", "column": "current_account", "share_of_gdp": True},
                {
                    "name": "poor_ca_peak",
                    "country": "Poor",
                    "column": "current_account",
                    "share_of_gdp": True,
                    "stat": "max",
                },
                {"name": "index", "country": "world", "column": "imbalance_index"},
            ],
        },
        name="figs",
    )
    res = run_sweep(sweep, workers=1, out=tmp_path)
    check_all(saved, {"figs"})
    titles = {n: (f._suptitle.get_text() if f._suptitle else f.axes[0].get_title()) for n, f in saved}
    mean = next(t for n, t in titles.items() if n.endswith("poor_ca__vs_parameters.png"))
    peak = next(t for n, t in titles.items() if n.endswith("poor_ca_peak__vs_parameters.png"))
    assert mean != peak and "largest" in peak and "mean" in mean
    assert res.report is not None
