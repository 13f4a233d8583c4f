"""The overview figure written with every run: balances / GDP and reserves by country."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sim.results import Results  # noqa: E402

# Okabe-Ito: distinguishable with the common colour-vision deficiencies
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


SURPLUS_COLOR, DEFICIT_COLOR, EVEN_COLOR = "#2166AC", "#B2182B", "#F7F7F7"
"""One meaning everywhere (the demo page and the analysis figures): blue is a surplus, red a
deficit, near-white balance (the ends and middle of ColorBrewer's RdBu, safe for the common
colour-vision deficiencies)."""


def balance_cmap() -> matplotlib.colors.Colormap:
    """The Matplotlib colour map of bilateral balances: :data:`DEFICIT_COLOR` (negative) through
    :data:`EVEN_COLOR` (0) to :data:`SURPLUS_COLOR` (positive), as the demo page draws them.
    """
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("tradesim_balance", [DEFICIT_COLOR, EVEN_COLOR, SURPLUS_COLOR])


def country_colors(names: list[str]) -> dict[str, str]:
    """A stable colour per country (scenario order), shared by every figure."""
    return {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}


def overview_figure(res: Results, path: str | Path, max_countries: int = 8) -> Path:
    """Write a three-panel PNG: current account / GDP (%), net foreign assets / GDP (%) and
    reserves (months of imports).

    With more than ``max_countries`` countries, the largest by mean GDP are drawn.
    """
    path = Path(path)
    names = res.countries
    gdp = res.series("gdp")
    if len(names) > max_countries:
        names = list(gdp.mean().sort_values(ascending=False).index[:max_countries])
    colors = country_colors(res.countries)
    year = res.timeseries.drop_duplicates("tick").set_index("tick")["year"]
    ca = res.share_of_gdp("current_account") * 100
    nfa = res.share_of_gdp("net_foreign_assets") * 100
    months = res.series("reserves") / res.series("imports").where(lambda x: x > 0) * 12
    with plt.rc_context({"font.size": 14, "axes.titlesize": 16, "axes.labelsize": 14, "legend.fontsize": 12}):
        fig, axes = plt.subplots(1, 3, figsize=(18, 5.5), constrained_layout=True)
        for n in names:
            for ax, data in zip(axes, (ca, nfa, months), strict=True):
                ax.plot(year.loc[data.index], data[n], color=colors[n], lw=2.2, label=n)
        for ax in axes[:2]:
            ax.axhline(0, color="grey", lw=1)
        axes[0].set_title("Current account, % of GDP")
        axes[1].set_title("Net foreign assets, % of GDP")
        axes[2].set_title("Reserves, months of imports")
        for ax in axes:
            ax.set_xlabel("year")
            ax.grid(alpha=0.3)
        axes[0].legend(loc="best", frameon=False)
        fig.suptitle(f"{res.scenario.simulation.name} (seed {res.scenario.simulation.seed})")
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return path
