"""The MySQL client side without a server: connect timeouts and TLS options.

These need no MariaDB (the MariaDB reliability tests are in
``test_reliability_mysql.py``): a local socket that never speaks plays the
silent server, and trustme makes the certificate files.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import trustme
from mariadb_server import TLSFiles
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

import novelkit
from novelkit import ServerUnavailableError, create_engine

CONNECT_TIMEOUT = 2.0
#: Slack for a loaded machine on a deadline check (never a speed check).
TIME_MARGIN = 3.0


async def _scalar(engine: AsyncEngine, sql: str) -> object:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql))).scalar()


@pytest.fixture
def tls(tmp_path: Path) -> TLSFiles:
    """A throw-away CA, a server and a client certificate, as PEM files."""
    ca, wrong_ca = trustme.CA(), trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1")
    client_cert = ca.issue_cert("novelkit-client")
    files = TLSFiles(
        ca=tmp_path / "ca.pem",
        wrong_ca=tmp_path / "wrong-ca.pem",
        server_cert=tmp_path / "server-cert.pem",
        server_key=tmp_path / "server-key.pem",
        client_cert=tmp_path / "client-cert.pem",
        client_key=tmp_path / "client-key.pem",
    )
    ca.cert_pem.write_to_path(str(files.ca))
    wrong_ca.cert_pem.write_to_path(str(files.wrong_ca))
    server_cert.private_key_pem.write_to_path(str(files.server_key))
    server_cert.cert_chain_pems[0].write_to_path(str(files.server_cert))
    client_cert.private_key_pem.write_to_path(str(files.client_key))
    client_cert.cert_chain_pems[0].write_to_path(str(files.client_cert))
    return files


def _silent_listener() -> tuple[socket.socket, threading.Thread, list[socket.socket]]:
    """A socket on 127.0.0.1 that accepts connections and never sends a byte."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []

    server.settimeout(0.1)  # so that the thread sees the close within 0.1 s

    def accept() -> None:
        while server.fileno() != -1:
            try:
                conn, _addr = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(conn)

    thread = threading.Thread(target=accept, name="silent-listener", daemon=True)
    thread.start()
    return server, thread, accepted


async def test_connect_timeout_on_a_server_that_never_answers() -> None:
    """A listener that accepts and stays silent: ServerUnavailableError within connect_timeout."""
    server, thread, accepted = _silent_listener()
    port = server.getsockname()[1]
    url = URL.create(
        "mysql+asyncmy",
        username="nobody",
        password="secret-pw",
        host="127.0.0.1",
        port=port,
        database="nktest_none",
    )
    engine = create_engine(url, connect_timeout=CONNECT_TIMEOUT)
    try:
        start = time.monotonic()
        with pytest.raises(ServerUnavailableError) as caught:
            await _scalar(engine, "SELECT 1")
        elapsed = time.monotonic() - start
        assert elapsed < CONNECT_TIMEOUT + TIME_MARGIN
        assert "secret-pw" not in str(caught.value)
        assert accepted, "the connection never reached the listener"
    finally:
        await engine.dispose()
        server.close()
        for conn in accepted:
            conn.close()
        thread.join(timeout=5)


def test_tls_files_are_checked_when_the_engine_is_made(tls: TLSFiles, tmp_path: Path) -> None:
    """A missing file or a key without its certificate: ConfigurationError at once."""
    url = URL.create("mysql+asyncmy", username="u", password="pw", host="127.0.0.1", database="d")
    with pytest.raises(novelkit.ConfigurationError, match="not found"):
        create_engine(url, ssl_ca=tmp_path / "missing-ca.pem")
    with pytest.raises(novelkit.ConfigurationError, match="ssl_cert"):
        create_engine(url, ssl_ca=tls.ca, ssl_key=tls.client_key)
    with pytest.raises(novelkit.ConfigurationError, match="MySQL"):
        create_engine(tmp_path / "x.db", create=True, ssl_ca=tls.ca)
