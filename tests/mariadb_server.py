"""A private mariadbd for tests that stop, start or reconfigure a server.

The shared MariaDB must never be stopped, so these tests get their own: a data
folder made by ``mariadb-install-db`` in a tmp folder, a server on a free port of
127.0.0.1 only (plus a unix socket in the same folder), optionally with TLS. The
test account and database are created through the socket as the server's root,
which never listens on TCP for anyone but 127.0.0.1 and is never used over TCP.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL

INSTALL_DB = "mariadb-install-db"
SERVER = "mariadbd"
CLIENT = "mariadb"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0


def missing_binaries() -> list[str]:
    """The MariaDB programs this module needs that are not installed."""
    found = {name: shutil.which(name) or _sbin(name) for name in (INSTALL_DB, SERVER, CLIENT)}
    return [name for name, path in found.items() if path is None]


def _sbin(name: str) -> str | None:
    for folder in ("/usr/sbin", "/usr/local/sbin"):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _program(name: str) -> str:
    path = shutil.which(name) or _sbin(name)
    if path is None:
        raise FileNotFoundError(name)
    return path


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def slow_link(port: int, delay: float) -> Iterator[int]:
    """A TCP relay on 127.0.0.1 to ``port`` that hands on everything the server sends
    ``delay`` seconds late, its closing included: a slow or loaded server. Yields the
    relay's port; the client's bytes go through at once."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)  # so that the accepting thread sees the end
    done = threading.Event()
    links: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def pump(source: socket.socket, target: socket.socket, late: bool) -> None:
        try:
            while data := source.recv(65536):
                if late:
                    time.sleep(delay)
                target.sendall(data)
            if late:
                time.sleep(delay)
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # one end has gone: the relay's sockets are closed on the way out

    def accept() -> None:
        while not done.is_set():
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            server = socket.create_connection(("127.0.0.1", port))
            links.extend((client, server))
            for source, target, late in ((client, server, False), (server, client, True)):
                thread = threading.Thread(target=pump, args=(source, target, late), daemon=True)
                thread.start()
                threads.append(thread)

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        done.set()
        acceptor.join()
        listener.close()
        for link in links:
            with contextlib.suppress(OSError):  # already shut down by its peer
                link.shutdown(socket.SHUT_RDWR)  # wakes the pump blocked in recv()
        for thread in threads:
            thread.join()
        for link in links:
            link.close()


@dataclass(frozen=True)
class TLSFiles:
    """PEM files for a server with TLS and a client that trusts it (or not)."""

    ca: Path
    wrong_ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


@dataclass
class PrivateMariaDB:
    """One mariadbd of our own; :meth:`start` and :meth:`stop` may be called repeatedly."""

    folder: Path
    port: int = field(default_factory=free_port)
    tls: TLSFiles | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def datadir(self) -> Path:
        return self.folder / "data"

    @property
    def socket_path(self) -> Path:
        return self.folder / "sock"

    def install(self) -> None:
        """Create the data folder (about a second)."""
        subprocess.run(
            [
                _program(INSTALL_DB),
                "--no-defaults",
                "--user=root",
                "--auth-root-authentication-method=normal",
                f"--datadir={self.datadir}",
                "--skip-test-db",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        """Start the server and wait until its socket answers."""
        if self.process is not None and self.process.poll() is None:
            return
        command = [
            _program(SERVER),
            "--no-defaults",
            "--user=root",
            f"--port={self.port}",
            "--bind-address=127.0.0.1",
            f"--socket={self.socket_path}",
            f"--pid-file={self.folder / 'pid'}",
            f"--datadir={self.datadir}",
            "--skip-name-resolve",
            f"--log-error={self.folder / 'error.log'}",
            # Small and quick: this server holds a few rows and lives for a test run.
            "--innodb-buffer-pool-size=16M",
            "--innodb-log-file-size=8M",
            "--performance-schema=OFF",
        ]
        if self.tls is not None:
            command += [
                f"--ssl-ca={self.tls.ca}",
                f"--ssl-cert={self.tls.server_cert}",
                f"--ssl-key={self.tls.server_key}",
            ]
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited at start:\n{self.error_log()}")
            if self._answers():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"mariadbd did not answer within {START_TIMEOUT} s:\n{self.error_log()}")

    def _answers(self) -> bool:
        result = subprocess.run(
            [
                _program(CLIENT),
                "--no-defaults",
                f"--socket={self.socket_path}",
                "-uroot",
                "-e",
                "SELECT 1",
            ],
            capture_output=True,
            timeout=30,
        )
        return result.returncode == 0

    def stop(self) -> None:
        """Stop the server cleanly (SIGTERM) and wait until it has exited."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def sql(self, statements: str) -> str:
        """Run SQL as the server's root through the unix socket; its output."""
        result = subprocess.run(
            [
                _program(CLIENT),
                "--no-defaults",
                f"--socket={self.socket_path}",
                "-uroot",
                "--batch",
                "--skip-column-names",
            ],
            input=statements.encode(),
            capture_output=True,
            check=True,
            timeout=60,
        )
        return result.stdout.decode()

    def add_account(
        self, user: str, password: str, database: str, *, require_x509: bool = False
    ) -> URL:
        """Create ``database`` and an account with all rights on it; its asyncmy URL."""
        require = " REQUIRE X509" if require_x509 else ""
        self.sql(
            f"CREATE DATABASE IF NOT EXISTS `{database}`;\n"
            f"CREATE OR REPLACE USER '{user}'@'127.0.0.1' IDENTIFIED BY '{password}'{require};\n"
            f"GRANT ALL PRIVILEGES ON `{database}`.* TO '{user}'@'127.0.0.1';\n"
        )
        return self.account_url(user, password, database)

    def account_url(self, user: str, password: str, database: str) -> URL:
        """The asyncmy URL of an account on this server, over TCP."""
        return URL.create(
            "mysql+asyncmy",
            username=user,
            password=password,
            host="127.0.0.1",
            port=self.port,
            database=database,
        )

    def error_log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""
