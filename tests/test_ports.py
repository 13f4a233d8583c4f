"""Services listen on this computer only unless the user names another address, and say so
when they do (issue 18, item 8). Listening sockets are read with psutil; nothing is sent off
the machine. (The Dask cluster's sockets are checked in tests/test_sweep.py.)
"""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from sim.cli import main
from sim.viz import cli as demo_cli
from tests.conftest import ROOT, listening_sockets


def test_the_demo_listens_on_loopback_only(tmp_path):
    pytest.importorskip("solara")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "sim", "demo", "--port", "0"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        line = ""
        while "open http" not in line and time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
        assert "open http://127.0.0.1:" in line, (line, proc.poll())
        sockets = listening_sockets([proc])
        assert sockets, "the demo server listens somewhere"
        assert all(ipaddress.ip_address(ip).is_loopback for _, ip, _ in sockets), sockets
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert "warning" not in err


def test_an_empty_host_is_refused_in_one_line(capsys):
    assert main(["demo", "--host", "", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --host needs an address"), err


class _StartedError(Exception):
    pass


def _no_server(*args, **kwargs):
    raise _StartedError(args[0])


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6")
def test_every_ipv6_interface_is_not_a_port_in_use_and_is_warned_about(monkeypatch, capsys):
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::", 0))
    except OSError:
        pytest.skip("IPv6 is switched off")
    port = demo_cli.free_port("::")
    assert not demo_cli.port_taken("::", port)
    assert demo_cli.browser_url("::", port) == f"http://[::1]:{port}/"
    monkeypatch.setattr(demo_cli.subprocess, "Popen", _no_server)  # stop where the server would start
    with pytest.raises(_StartedError) as info:
        main(["demo", "--host", "::", "--port", str(port)])
    assert info.value.args[0][info.value.args[0].index("--host") + 1] == "::"
    err = capsys.readouterr().err
    assert "warning: the demo listens on ::" in err and "port" not in err.split("warning")[0]


@pytest.mark.parametrize("host", ["0.0.0.0", "127.0.0.1", "localhost"])
def test_a_warning_only_when_the_address_is_not_loopback(monkeypatch, capsys, host):
    monkeypatch.setattr(demo_cli.subprocess, "Popen", _no_server)
    with pytest.raises(_StartedError):
        main(["demo", "--host", host, "--port", "0"])
    warned = "warning: the demo listens on" in capsys.readouterr().err
    assert warned == (host == "0.0.0.0")
