"""Calibration by simulation: ABC-SMC on the batch layer (``tradesim calibrate``).

See ``docs/calibration.md``. :func:`run_calibration` runs a calibration file; :func:`abc_smc`
is the engine, usable with any vectorised simulator.
"""

from sim.calibrate.priors import Prior
from sim.calibrate.run import CalibrationResult, run_calibration
from sim.calibrate.smc import SMCResult, SMCSettings, abc_smc, summarise
from sim.calibrate.spec import Calibration, build_calibration, load_calibration

__all__ = [
    "Calibration",
    "CalibrationResult",
    "Prior",
    "SMCResult",
    "SMCSettings",
    "abc_smc",
    "build_calibration",
    "load_calibration",
    "run_calibration",
    "summarise",
]
