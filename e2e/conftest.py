"""Fixtures for the end-to-end suite.

Every test takes `db`, which runs it twice: on SQLite (a fresh data directory) and on
PostgreSQL (a fresh database on the server named by $GATEHOUSE_TEST_POSTGRES_URL; skipped
when that variable is not set — scripts/test always sets it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402


def pytest_report_header(config):
    pg = os.environ.get("GATEHOUSE_TEST_POSTGRES_URL")
    return [f"gatehouse binary: {harness.gatehouse_bin()}",
            f"postgres: {pg if pg else 'not configured (postgres variants are skipped)'}"]


@pytest.fixture(scope="session")
def gatehouse_bin() -> Path:
    path = harness.gatehouse_bin()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"gatehouse binary not found at {path}: build it (swift build) or set GATEHOUSE_BIN",
                    pytrace=False)
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def db(request, tmp_path, gatehouse_bin):
    """A fresh, empty database (and data directory) for one test."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if request.param == "sqlite":
        yield harness.Database("sqlite", data_dir, None)
        return
    base = os.environ.get("GATEHOUSE_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("GATEHOUSE_TEST_POSTGRES_URL is not set")
    name = "gh_e2e_" + harness.random_suffix()
    harness.psql(base, f'CREATE DATABASE "{name}"')
    try:
        yield harness.Database("postgres", data_dir, harness.postgres_url_for(base, name))
    finally:
        # Servers are stopped by now (the `servers` fixture is torn down first); FORCE
        # also ends connections a SIGKILLed server left behind.
        harness.psql(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def servers(db):
    """Starts `gatehouse serve` processes; all are killed after the test, and their logs
    printed so a failing test shows what the server said. `env` adds environment variables
    (the harness strips the caller's own GATEHOUSE_* settings, so pass them here)."""
    started: list[harness.Server] = []

    def start(*extra_args: str, env: dict | None = None) -> harness.Server:
        server = harness.Server(db, extra_args, env=env)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.kill()
        print(f"\n===== server log ({db.kind}) =====\n" + server.describe())


@pytest.fixture
def mailbox():
    """A real SMTP server (aiosmtpd) on 127.0.0.1: plain SMTP, no AUTH; stopped after the test."""
    from smtp_mailbox import Mailbox  # e2e/smtp_mailbox.py, which needs aiosmtpd only when used

    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def mailboxes():
    """Starts Mailbox(**kwargs) servers (TLS, AUTH, ...); all are stopped after the test."""
    from smtp_mailbox import Mailbox

    started = []

    def start(**kwargs):
        box = Mailbox(**kwargs).start()
        started.append(box)
        return box

    yield start
    for box in started:
        box.stop()

