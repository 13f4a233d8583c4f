"""Calibration by simulation: ABC-SMC on the batch layer (``tradesim calibrate``).

See ``docs/calibration.md``. :func:`run_calibration` runs a calibration file; :func:`abc_smc`
is the engine, usable with any vectorised simulator.
"""

from sim.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "Prior": "sim.calibrate.priors",
    "CalibrationResult": "sim.calibrate.run",
    "run_calibration": "sim.calibrate.run",
    "SMCResult": "sim.calibrate.smc",
    "SMCSettings": "sim.calibrate.smc",
    "abc_smc": "sim.calibrate.smc",
    "summarise": "sim.calibrate.smc",
    "Calibration": "sim.calibrate.spec",
    "build_calibration": "sim.calibrate.spec",
    "load_calibration": "sim.calibrate.spec",
}

# imported on first use, so that ``tradesim --help`` does not load scipy.stats
__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
