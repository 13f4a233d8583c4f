"""Where a tick's time goes: a pyinstrument profile of the model step on a synthetic world.

    python benchmarks/profile_step.py 200 10            # 200 countries, 10 traded sectors
    python benchmarks/profile_step.py 1000 20 --ticks 50
    python benchmarks/profile_step.py 200 10 --html profile.html

Runs a few warm-up ticks, then profiles ``--ticks`` ticks (BLAS pinned to one thread, as in
``benchmarks/run.py``) and prints the call tree (stages of ``TradeModel.step`` and the NumPy
work under them). Used for ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="pyinstrument profile of the model step on a synthetic world")
    p.add_argument("n", type=int, help="countries")
    p.add_argument("s", type=int, help="traded sectors")
    p.add_argument("--ticks", type=int, default=300, help="ticks profiled (default 300)")
    p.add_argument("--interval", type=float, default=0.0002, help="sampling interval, seconds (default 0.0002)")
    p.add_argument("--html", help="also write an HTML report here")
    args = p.parse_args(argv)
    if args.n < 1 or args.s < 1 or args.ticks < 1:
        p.error("N, S and --ticks must be at least 1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads BLAS

    from pyinstrument import Profiler

    import sim
    from sim.scenario import synthetic

    model = sim.TradeModel(synthetic(args.n, args.s, seed=0, ticks=args.ticks + 5), datacollector=False)
    model.run(5)
    profiler = Profiler(interval=args.interval)
    profiler.start()
    model.run(args.ticks)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        Path(args.html).write_text(profiler.output_html(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
