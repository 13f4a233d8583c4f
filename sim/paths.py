"""Results folders: where a run, experiment or sweep writes, checked before anything runs."""

from __future__ import annotations

from pathlib import Path

from sim.errors import TradesimError
from sim.schema import file_name_problem


def folder_in(out: str | Path, name: str) -> Path:
    """``out / name``, refusing a name that is not plain (names are checked at load; this checks
    again where a folder is made, for objects built without loading a file).

    Raises:
        TradesimError: naming the reason.
    """
    why = file_name_problem(name)
    if why:
        raise TradesimError(f"cannot write results under the name {name!r}: {why}")
    return Path(out) / name


def check_folder(out: str | Path) -> None:
    """Refuse a results root that exists but is not a folder, or lies under a file (e.g.
    ``--out /dev/null``), before anything runs.

    Raises:
        TradesimError: naming the path that is not a folder.
    """
    out = Path(out)
    for p in (out, *out.parents):
        if p.exists():
            if not p.is_dir():
                raise TradesimError(f"cannot write results under {out}: {p} is not a folder")
            return
