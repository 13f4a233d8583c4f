"""Processes: whether a writer that left temporaries behind is still running, and worker
processes that end when the process that started them ends.
"""

from __future__ import annotations

import os
import select
import sys
import threading
import time

POLL_SECONDS = 0.5
"""Where the system cannot wait on another process, how often a worker checks its parent."""


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (a dead writer's temporaries may be removed)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def exit_with(pid: int) -> threading.Thread:
    """Start a daemon thread that ends this process as soon as process ``pid`` has ended.

    A worker of a batch calls this with the batch's process id: if that process is killed
    (SIGKILL, out of memory) nothing else would stop its workers, which would run on, and with
    them the forkserver and the resource tracker they keep open. Linux waits on a pidfd and
    Windows on the process handle (no polling); elsewhere the parent is checked every
    :data:`POLL_SECONDS` seconds.
    """
    thread = threading.Thread(target=_wait_then_exit, args=(pid,), name="tradesim-exit-with-parent", daemon=True)
    thread.start()
    return thread


def _wait_then_exit(pid: int) -> None:
    _wait_for(pid)
    os._exit(1)


def _wait_for(pid: int) -> None:
    """Return when process ``pid`` has ended."""
    if hasattr(os, "pidfd_open"):
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            return
        except OSError:  # a kernel before 5.3: poll
            pass
        else:
            select.select([fd], [], [])  # readable once the process has ended
            return
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x00100000, False, pid)  # SYNCHRONIZE
        if not handle:
            return
        kernel32.WaitForSingleObject(handle, 0xFFFFFFFF)  # INFINITE
        return
    while pid_alive(pid):
        time.sleep(POLL_SECONDS)
