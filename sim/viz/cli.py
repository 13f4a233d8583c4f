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
        help="address to listen on (default: 127.0.0.1, this computer only; another address, such as 0.0.0.0 "
        "for every interface, lets others on the network in: a warning says so)",
    )
    p.set_defaults(func=cmd_demo)


def resolve(host: str) -> tuple[socket.AddressFamily, str]:
    """(address family, numeric address) the server will listen on for ``--host``.

    Raises:
        TradesimError: an empty host (which would listen on every interface) or a name that
            does not resolve.
    """
    if not host.strip():
        raise TradesimError(
            "--host needs an address: 127.0.0.1 (this computer only, the default), or an address of this "
            "computer's network interface to let others in"
        )
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TradesimError(f"--host {host!r} is not an address of this computer ({exc})") from None
    family, _, _, _, sockaddr = infos[0]
    return family, str(sockaddr[0])


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this computer only (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    return ipaddress.ip_address(resolve(host)[1].split("%")[0]).is_loopback


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the operating system's choice)."""
    family, addr = resolve(host)
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((addr, 0))
        return int(s.getsockname()[1])


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens on ``host:port`` (binding there fails)."""
    family, addr = resolve(host)
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((addr, port))
        except OSError:
            return True
    return False


def browser_url(host: str, port: int) -> str:
    """The address to open: loopback for a server on every interface, IPv6 in brackets."""
    family, addr = resolve(host)
    if addr in ("0.0.0.0", "::"):
        addr = "127.0.0.1" if family == socket.AF_INET else "::1"
    return f"http://[{addr}]:{port}/" if ":" in addr else f"http://{addr}:{port}/"


def serve_command(scenario: str, host: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The ``solara run`` command line and environment that serve the page."""
    # production mode: no hot-reload file watcher, which needs an inotify instance and fails the
    # start-up when the machine's limit is reached (it was, once, in CI)
    cmd = [sys.executable, "-m", "solara", "run", "sim.viz.app", "--production"]
    cmd += ["--host", host, "--port", str(port), "--no-open"]
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
    resolve(args.host)  # an empty host or a name that does not resolve is a one-line error
    port = args.port or free_port(args.host)
    if port_taken(args.host, port):
        raise TradesimError(f"port {port} is in use (another demo?); choose another with --port, or --port 0 for any")
    scenario = args.scenario if Path(args.scenario).suffix != ".toml" else str(path.resolve())
    cmd, env = serve_command(scenario, args.host, port)
    url = browser_url(args.host, port)
    if not is_loopback(args.host):
        print(
            f"warning: the demo listens on {args.host}, so other computers on the network can open it and run "
            "the model; leave --host out to keep it on this computer (127.0.0.1)",
            file=sys.stderr,
            flush=True,
        )
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
