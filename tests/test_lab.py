"""``novelkit lab`` as a new user runs it: fresh HOME, a real server, a real kernel."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from jupyter_client import BlockingKernelClient

from novelkit.cli import main

DEADLINE = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api(base: str, token: str, path: str, method: str = "GET") -> object:
    request = urllib.request.Request(
        f"{base}{path}",
        method=method,
        headers={"Authorization": f"token {token}"},
        data=b"{}" if method == "POST" else None,
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def processes_mentioning(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline and int(entry.name) != os.getpid():
            found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to check for leftovers")
def test_lab_serves_notebooks_and_runs_a_cell(tmp_path: Path) -> None:
    home = tmp_path / "home"
    runtime = tmp_path / "runtime"
    for folder in (home, runtime):
        folder.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "NOVELKIT_HOME": str(tmp_path / "novelkit-home"),
        "IPYTHONDIR": str(tmp_path / "ipython"),
    }
    port = free_port()
    log_path = tmp_path / "lab.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        lab = subprocess.Popen(
            [sys.executable, "-m", "novelkit", "lab", "--no-browser", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        pattern = re.compile(rf"http://127\.0\.0\.1:{port}/lab\?token=([0-9a-f]+)")
        token = None
        while time.monotonic() - started < DEADLINE and token is None:
            match = pattern.search(log_path.read_text(errors="replace"))
            token = match.group(1) if match else None
            if lab.poll() is not None:
                break
            time.sleep(0.5)
        assert token, f"no Jupyter URL within {DEADLINE}s:\n{log_path.read_text()}"
        base = f"http://127.0.0.1:{port}"
        contents = api(base, token, "/api/contents")
        assert isinstance(contents, dict)
        names = {item["name"] for item in contents["content"]}
        assert {"01_quickstart.ipynb", "05_characters_and_story_world.ipynb"} <= names
        assert time.monotonic() - started < DEADLINE

        kernel = api(base, token, "/api/kernels", method="POST")
        assert isinstance(kernel, dict)
        client = BlockingKernelClient()
        client.load_connection_file(str(runtime / f"kernel-{kernel['id']}.json"))
        client.start_channels()
        try:
            client.wait_for_ready(timeout=DEADLINE)
            outputs: list[str] = []

            def collect(message: dict) -> None:
                if message["msg_type"] == "stream":
                    outputs.append(message["content"]["text"])

            reply = client.execute_interactive(
                "import novelkit\n"
                "with novelkit.connect() as db:\n"
                "    print('novels:', len(db.novels()))\n",
                output_hook=collect,
                timeout=DEADLINE,
            )
        finally:
            client.stop_channels()
        assert reply["content"]["status"] == "ok"
        assert "novels: 40" in "".join(outputs)
    finally:
        lab.send_signal(signal.SIGINT)
        lab.wait(timeout=30)
    deadline = time.monotonic() + 15
    while processes_mentioning(str(runtime)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert processes_mentioning(str(runtime)) == []
    assert processes_mentioning(f"--ServerApp.port={port}") == []


@pytest.mark.parametrize(
    ("option", "suggestion"), [("--prot", "--port"), ("--no-brower", "--no-browser")]
)
def test_a_mistyped_option_is_a_usage_error(option: str, suggestion: str) -> None:
    """Was passed on to Jupyter, which only logged "Unrecognized alias" and started on
    its default port (or printed its own 30-line usage)."""
    result = CliRunner().invoke(main, ["lab", option, "8899"])
    assert result.exit_code == 2, result.output
    assert f"No such option '{option}'" in result.output
    assert suggestion in result.output
    assert "Traceback" not in result.output


def test_arguments_after_double_dash_go_to_jupyter(fixture_sqlite: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "NOVELKIT_DATABASE_URL": f"sqlite:///{fixture_sqlite}",
        "NOVELKIT_HOME": str(tmp_path / "novelkit-home"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "novelkit", "lab", "--", "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*\n", done.stdout), done.stdout
