"""Write docs/tutorial.ipynb from the cells below, outputs stripped (run: python docs/make_tutorial.py).

The notebook is kept as this script's output so that a change to the tutorial is a readable diff;
tests/test_tutorial.py runs every cell of the written notebook. The cells are written as
``ruff format`` leaves them (``make lint`` checks docs/, the notebook included).
"""

from pathlib import Path

import nbformat

CELLS = [
    (
        "md",
        """# tradesim for researchers: a tutorial

Run it from the `docs/` folder of a checkout (`jupyter lab docs/tutorial.ipynb`). Every cell runs in
the test suite (`tests/test_tutorial.py`), so it works as written; the worlds are small and the runs
short so that the whole notebook takes seconds. For real work use more ticks and seeds.

1. load a scenario and run it; 2. plot with pandas/matplotlib; 3. change a policy with an event;
4. a paired-seed experiment with `sim.compare`; 5. a small sweep with Sobol indices; 6. the cycle analysis.""",
    ),
    (
        "code",
        """import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import sim

ROOT = Path.cwd().parent if Path.cwd().name == "docs" else Path.cwd()  # the repository
BASELINE = ROOT / "scenarios" / "baseline.toml"
OUT = Path(tempfile.mkdtemp())  # where this notebook's experiment and sweep write""",
    ),
    (
        "md",
        "## 1. Load a scenario and run it\n\n`sim.simulate` runs in memory; `sim.run` also writes a results folder.",
    ),
    (
        "code",
        """scn = sim.load_scenario(BASELINE)
print(scn.names, scn.simulation.ticks, "ticks of", scn.simulation.tick_length)
res = sim.simulate(scn, ticks=60)
res.timeseries[["tick", "year", "country", "gdp", "current_account", "reserves"]].head()""",
    ),
    (
        "md",
        "## 2. Plot with pandas and matplotlib\n\n`res.share_of_gdp(column)` is a wide table (tick x country) of a flow "
        "over GDP; multiply by 100 for percent. `res.imbalance_index()` is the sum of |current account| over world GDP.",
    ),
    (
        "code",
        """ca = 100 * res.share_of_gdp("current_account")
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
ca.plot(ax=left, title="Current account", xlabel="tick (one a year from 2000)", ylabel="% of GDP")
left.axhline(0, color="grey", lw=0.8)
(100 * res.imbalance_index()).plot(
    ax=right,
    title="Global imbalance index",
    xlabel="tick (one a year from 2000)",
    ylabel="sum |CA|, % of world GDP",
    legend=False,
)
fig.tight_layout()
ca.iloc[[0, 20, 59]].round(2)""",
    ),
    (
        "md",
        "## 3. Change a policy with an event\n\nAn event sets key paths at a tick. Here China's propensity to "
        "consume rises from year 20; the same seed, so the difference is the policy's.",
    ),
    (
        "code",
        """import tomllib

doc = tomllib.loads(BASELINE.read_text())
doc["event"] = [{"tick": 20, "set": {"country.China.propensity_to_consume": 0.84}}]
consuming = sim.simulate(doc, ticks=60)
china = pd.DataFrame(
    {
        "baseline": 100 * res.share_of_gdp("current_account")["China"],
        "consumes more from year 20": 100 * consuming.share_of_gdp("current_account")["China"],
    }
)
ax = china.plot(title="China's current account", xlabel="tick (one a year from 2000)", ylabel="% of GDP")
ax.axvline(20, color="grey", ls="--", lw=0.8)
china.loc[[19, 30, 59]].round(2)""",
    ),
    (
        "md",
        "## 4. A paired-seed experiment\n\n`sim.compare` runs the base and each arm on the same seeds and reports "
        "each effect with paired-t and bootstrap 95% intervals. Four seeds and 40 ticks keep it quick. "
        "The table holds shares of GDP (0.01 is 1%); the sentences say percent.",
    ),
    (
        "code",
        """comp = sim.compare(
    BASELINE,
    {"thrifty": {"country.China.propensity_to_consume": 0.72}},
    seeds=4,
    ticks=40,
    metrics=[{"country": "China", "column": "current_account", "share_of_gdp": True, "ticks": [10, 39]}],
    out=OUT / "experiments",
)
print(*comp.sentences(), sep="\\n")
comp.effects[["arm", "metric", "base_mean", "arm_mean", "mean_diff", "t_low", "t_high"]]""",
    ),
    (
        "md",
        "## 5. A small sweep with Sobol indices\n\nA sweep is a mapping with the structure of a sweep file. "
        "N = 8 Saltelli samples of two parameters is 8 x (2 + 2) = 32 runs: enough to see the machinery, "
        "far too few for trustworthy indices (look at the intervals).",
    ),
    (
        "code",
        """from sim.sweep import build_sweep, run_sweep

sweep = build_sweep(
    {
        "base": str(BASELINE),
        "ticks": 30,
        "sampler": "sobol",
        "samples": 8,
        "seed": 1,
        "parameter": [
            {"path": "country.China.propensity_to_consume", "range": [0.70, 0.84]},
            {"path": "world.trade_cost", "range": [0.6, 1.4]},
        ],
        "metric": [
            {
                "name": "china_ca",
                "country": "China",
                "column": "current_account",
                "share_of_gdp": True,
                "ticks": [10, 29],
            }
        ],
    },
    name="tutorial",
)
result = run_sweep(sweep, workers=1, out=OUT / "sweeps")
indices = pd.read_csv(result.report / "indices.csv")
indices.assign(low=indices["value"] - indices["conf"], high=indices["value"] + indices["conf"]).round(2)""",
    ),
    (
        "md",
        "## 6. The cycle analysis\n\nThe `endless_cycle` world develops unevenly: the imbalance index rises and "
        "falls again and again. `analysis.analyse` dates its turning points, labels every year with a phase "
        "(balance, imbalance, rebalancing) and tabulates the full cycles.",
    ),
    (
        "code",
        """from sim import analysis

cycle = sim.simulate(ROOT / "scenarios" / "endless_cycle.toml", ticks=300)
a = analysis.analyse(cycle)
{k: round(v, 3) if isinstance(v, float) else v for k, v in a.metrics.items()}""",
    ),
    (
        "code",
        """fig, ax = plt.subplots(figsize=(10, 3.5))
ax.plot(a.world["year"], 100 * a.world["imbalance_index"], color="grey", lw=0.8, label="index")
ax.plot(a.world["year"], 100 * a.world["smoothed"], color="black", label="smoothed")
for phase, colour in [("imbalance", "tab:red"), ("rebalancing", "tab:blue")]:
    years = a.world.loc[a.world["phase"] == phase, "year"]
    ax.scatter(years, [0] * len(years), marker="|", color=colour, label=phase)
ax.set(title="Global imbalance index and its phases", xlabel="year", ylabel="% of world GDP")
ax.legend(ncols=4)
a.cycles""",
    ),
    (
        "md",
        "More: `docs/analysis.md` (definitions and the dating rule), `docs/experiments.md`, `docs/sweeps.md`. "
        'Mesa users: `mesa.batch_run(sim.TradeModel, parameters={"scenario": ..., "ticks": ...}, rng=[None] * 5)` '
        "gives five runs with fresh seeds (each row says its `seed`).",
    ),
]


def build() -> nbformat.NotebookNode:
    """The tutorial notebook, without outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(t) if k == "md" else nbformat.v4.new_code_cell(t) for k, t in CELLS]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


if __name__ == "__main__":
    nbformat.write(build(), Path(__file__).with_name("tutorial.ipynb"))
