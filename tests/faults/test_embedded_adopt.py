"""After `kill -9`, the next `helpdesk serve` adopts the embedded Postgres left running, and
stops it when it stops itself."""

from __future__ import annotations

import shutil
import signal

import httpx
import pytest

from tests.server.helpers import who
from tests.server.live import data_dir, postgres_processes, serving, wait_no_postgres

pytestmark = pytest.mark.slow


def test_adopted_postgres_stops_with_the_new_server() -> None:
    data = data_dir()
    pgdata = (data / "pg").resolve()
    with serving(data=data) as (url, proc):
        assert httpx.post(f"{url}/agent", json={"message": "hi"}, headers=who()).status_code == 200
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert postgres_processes(pgdata), "postgres went down with the killed server"
    with serving(data=data) as (url, proc):
        assert httpx.post(f"{url}/agent", json={"message": "hi"}, headers=who()).status_code == 200
    assert wait_no_postgres(pgdata) == []
    shutil.rmtree(data, ignore_errors=True)
