"""Start-up failures of `helpdesk serve` (and of raw uvicorn): one line, the fix, no secret."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from server.app import create_app
from server.logs import JsonFormatter, add_secrets, mask
from tests.processes import free_port, wait_http_ready
from tests.server.helpers import assert_error, running, server_settings, who
from tests.server.live import HELPDESK, _env, data_dir


def _serve(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    data = data_dir()
    try:
        return subprocess.run([str(HELPDESK), "serve", "--data-dir", str(data), *args],
                              env=_env(None, {"HELPDESK_LOG_LEVEL": "INFO", **env}),
                              capture_output=True, text=True, timeout=90)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def _one_error_line(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr
    errors = [json.loads(line) for line in r.stderr.splitlines() if '"level": "error"' in line]
    assert len(errors) == 1, r.stderr
    return str(errors[0]["msg"])


def test_a_non_postgres_url_names_the_fix_and_hides_the_password() -> None:
    r = _serve("--port", str(free_port()), DATABASE_URL="mysql://admin:hunter2secret@db:3306/helpdesk")
    line = _one_error_line(r)
    assert "not a postgresql:// URL" in line and "unset DATABASE_URL" in line, line
    assert "hunter2secret" not in r.stderr and "admin:***@db" in line


def test_an_unreachable_database_names_the_fix() -> None:
    url = f"postgresql://helpdesk:s3cr3t-pw@127.0.0.1:{free_port()}/helpdesk"
    line = _one_error_line(_serve("--port", str(free_port()), DATABASE_URL=url))
    assert "cannot connect to the database" in line and "unset DATABASE_URL" in line, line
    assert "s3cr3t-pw" not in line


def test_a_busy_port_suggests_another() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = _one_error_line(_serve("--port", str(port)))
    assert f"port {port} on 127.0.0.1 is already in use" in line and "--port" in line, line


def test_bad_settings_name_the_variable() -> None:
    line = _one_error_line(_serve("--port", str(free_port()), HELPDESK_MODE="telepathy",
                                  HELPDESK_THREAD_LEASE_S="-3"))
    assert "HELPDESK_MODE='telepathy'" in line and "HELPDESK_THREAD_LEASE_S='-3'" in line, line


@pytest.mark.skipif(os.geteuid() != 0, reason="pgserver switches users only when run as root")
def test_a_data_dir_the_pgserver_user_cannot_reach() -> None:
    hidden = Path(tempfile.mkdtemp(prefix="helpdesk-hidden-"))  # mode 0700
    try:
        r = subprocess.run([str(HELPDESK), "serve", "--port", str(free_port()),
                            "--data-dir", str(hidden / "data")],
                           env=_env(None, {}), capture_output=True, text=True, timeout=60)
        line = _one_error_line(r)
    finally:
        shutil.rmtree(hidden, ignore_errors=True)
    assert "not reachable by the 'pgserver' system user" in line and "chmod o+x" in line, line


def test_every_log_line_masks_secrets() -> None:
    add_secrets("configured-jwt-secret-value")
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "connect %s failed with %s; key %s",
                               ("postgresql://u:pw123@h/db", "host=h password=pw456 dbname=x",
                                "configured-jwt-secret-value"), None)
    record.path = "/agent?token=tok789"
    line = JsonFormatter().format(record)
    for secret in ("pw123", "pw456", "configured-jwt-secret-value", "tok789"):
        assert secret not in line, line
    assert "postgresql://u:***@h/db" in line and "password=***" in line
    assert mask("Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2ln") == "Authorization: Bearer ***"
    assert mask("OPENAI_API_KEY=sk-abcdefghijklmnop") == "OPENAI_API_KEY=***"
    assert mask("nothing secret here: 42 tokens") == "nothing secret here: 42 tokens"


def _uvicorn(db_url: str, host: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "uvicorn", "server.app:app_from_env", "--factory",
           "--host", host, "--port", str(port)]
    env = _env(db_url, {"HELPDESK_LOG_LEVEL": "INFO"})
    env.pop("HOST", None)
    with log.open("wb") as out:
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=out)


def test_raw_uvicorn_on_a_public_bind_refuses_dev_mode(db_url: str, tmp_path: Path) -> None:
    log = tmp_path / "uvicorn.log"
    proc = _uvicorn(db_url, "0.0.0.0", free_port(), log)
    assert proc.wait(90) != 0
    text = log.read_text()
    assert "refusing dev-mode identity on non-loopback address '0.0.0.0'" in text, text
    assert "Traceback" not in text, text
    unreachable = f"postgresql://helpdesk:pw-0f-db@127.0.0.1:{free_port()}/helpdesk"
    proc = _uvicorn(unreachable, "127.0.0.1", free_port(), log)  # the lifespan's own check
    assert proc.wait(90) != 0
    text = log.read_text()
    assert "cannot use the database at postgresql://helpdesk:***@127.0.0.1" in text, text
    assert "Traceback" not in text and "pw-0f-db" not in text, text
    port = free_port()  # the same command on loopback starts, in dev mode
    proc = _uvicorn(db_url, "127.0.0.1", port, log)
    try:
        wait_http_ready(proc, f"http://127.0.0.1:{port}/readyz", log=log)
        r = httpx.post(f"http://127.0.0.1:{port}/agent", json={"message": "hi"}, headers=who())
        assert r.status_code == 200, r.text
    finally:
        proc.terminate()
        proc.wait(30)


async def test_dev_identity_arriving_on_a_public_address_is_refused(db_url: str) -> None:
    app = create_app(server_settings(db_url))
    async with running(app) as client:
        ok = await client.post("/agent", json={"message": "hi"}, headers=who())
        assert ok.status_code == 200, ok.text
        public = await client.post("http://192.0.2.10/agent", json={"message": "hi"}, headers=who())
        assert_error(public, 401, "UNAUTHENTICATED")
        assert "non-loopback" in public.json()["error"]["message"]
