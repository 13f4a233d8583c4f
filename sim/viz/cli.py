"""``tradesim demo [SCENARIO] [--port P] [--host H]``: serve the classroom demo page.

Runs ``solara run sim.viz.app`` in a child process, waits until the page answers, prints its
address and keeps serving until Ctrl-C. The scenario (a shipped name such as ``tariffs`` or a
TOML file) is checked first, so a wrong one is a one-line error, not a broken page.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from sim.errors import TradesimError

DEFAULT_PORT = 8765
STARTUP_SECONDS = 60.0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``demo``."""
    p = sub.add_parser(
        "demo",
        help="serve the classroom demo in the browser (the imbalance cycle live, with policy sliders)",
        description="Serve the classroom demo page (Mesa's SolaraViz) and print its address. Works offline.",
    )
    p.add_argument(
        "scenario",
        nargs="?",
        default="endless_cycle",
        help="shipped scenario name or TOML file (default: endless_cycle, the cycle)",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}; 0: any free port)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this computer only; 0.0.0.0 lets others on the network in)",
    )
    p.set_defaults(func=cmd_demo)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the operating system's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens on ``host:port`` (binding there fails)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def serve_command(scenario: str, host: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The ``solara run`` command line and environment that serve the page."""
    cmd = [sys.executable, "-m", "solara", "run", "sim.viz.app", "--host", host, "--port", str(port), "--no-open"]
    env = dict(os.environ)
    env["TRADESIM_DEMO_SCENARIO"] = scenario
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    # no "This website runs on Solara" badge over the charts
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "false")
    # solara warns about cookies on plain http at every page load; on 127.0.0.1 that is expected
    env.setdefault("PYTHONWARNINGS", "ignore:Cookies with samesite=none:UserWarning")
    # the child must import this very tradesim, installed or not
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return cmd, env


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = STARTUP_SECONDS) -> None:
    """Poll ``url`` until it answers HTTP; raise TradesimError if the server exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise TradesimError(
                f"the demo server stopped at start-up (exit status {proc.returncode}); see its messages above"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.3)
    raise TradesimError(f"the demo server did not answer at {url} within {timeout:.0f} s")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def cmd_demo(args: argparse.Namespace) -> int:
    """``tradesim demo``."""
    from sim.scenario import load_scenario
    from sim.viz.demo_model import scenario_path

    try:
        import solara  # noqa: F401
    except ImportError:
        raise TradesimError("the demo needs Solara: pip install -e . (it is a core dependency)") from None
    path = scenario_path(args.scenario)
    load_scenario(path)  # a wrong file is a ScenarioError naming the key path
    if not 0 <= args.port <= 65535:
        raise TradesimError(f"--port must be in 0..65535, not {args.port}")
    bind = args.host if args.host not in ("0.0.0.0", "") else "127.0.0.1"
    port = args.port or free_port(bind)
    if port_taken(bind, port):
        raise TradesimError(f"port {port} is in use (another demo?); choose another with --port, or --port 0 for any")
    scenario = args.scenario if Path(args.scenario).suffix != ".toml" else str(path.resolve())
    cmd, env = serve_command(scenario, args.host, port)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    url = f"http://{shown}:{port}/"
    print(f"starting the demo of {path.stem} ...", flush=True)
    proc = subprocess.Popen(cmd, env=env)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        wait_until_up(url, proc)
        print(f"tradesim demo: open {url} in a browser (Ctrl-C stops the server)", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        print("stopping the demo server", file=sys.stderr)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
