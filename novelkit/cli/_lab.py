"""``novelkit lab``: JupyterLab on the bundled notebooks, over a configured database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import ConfigurationError

__all__ = ["jupyter_command", "notebooks_folder", "run_lab"]


def notebooks_folder() -> Path:
    """The bundled notebooks: ``notebooks/`` beside the package in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package.parent / "notebooks", package / "notebooks"):
        if candidate.is_dir():
            return candidate
    raise ConfigurationError(
        "The bundled notebooks were not found; novelkit lab runs from a clone of the "
        "novelkit repository (pip install -e .)."
    )


def jupyter_command(
    *, port: int | None, ip: str, browser: bool, extra: Sequence[str], root: Path
) -> list[str]:
    """The JupyterLab command line novelkit runs."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.ip={ip}",
    ]
    if port is not None:
        command.append(f"--ServerApp.port={port}")
    if not browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Jupyter refuses to run as root without it; as root you asked for it.
        command.append("--allow-root")
    command.extend(extra)
    return command


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and everything it started (kernels), then reap it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Kernels run in the server's process group; make sure none outlives it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def run_lab(
    *,
    port: int | None = None,
    ip: str = "127.0.0.1",
    browser: bool = True,
    extra: Sequence[str] = (),
) -> int:
    """Build the demo if it is the database in use, then run JupyterLab until it stops.

    Returns JupyterLab's exit code. Ctrl-C (or SIGTERM) stops the server and its
    kernels; no server process is left behind.
    """
    from ..demo import resolve_and_prepare

    resolve_and_prepare()
    root = notebooks_folder()
    env = dict(os.environ)
    env.setdefault("NOVELKIT_PROGRESS", "1")
    command = jupyter_command(port=port, ip=ip, browser=browser, extra=extra, root=root)
    process = subprocess.Popen(command, env=env, start_new_session=True)

    def forward(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(process)
        signal.signal(signal.SIGTERM, previous)
