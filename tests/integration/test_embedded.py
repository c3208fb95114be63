"""The embedded Postgres: start, reuse, clear errors, no orphans."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from checkpoints import embedded

ROOT = Path(__file__).resolve().parents[2]


def _pids(data: Path) -> set[int]:
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return {int(line.split()[0]) for line in out.splitlines()[1:]
            if "postgres" in line and str(data) in line}


def test_second_start_reuses_the_running_server_and_exit_stops_it() -> None:
    root = Path(tempfile.mkdtemp(prefix="helpdesk-emb-"))
    root.chmod(0o755)
    script = (
        "import sys, psycopg; from pathlib import Path; from checkpoints import embedded\n"
        "a = embedded.start(Path(sys.argv[1])); b = embedded.start(Path(sys.argv[1]))\n"
        "assert a.pgdata == b.pgdata\n"
        "with psycopg.connect(embedded.uri(b)) as c: print(c.execute('select 1').fetchone()[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(root)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("1")
    assert not _pids(root / "pg"), "the embedded server must stop with the last process using it"
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands Postgres to the pgserver user")
def test_unreachable_data_dir_says_how_to_fix_it() -> None:
    hidden = Path(tempfile.mkdtemp(prefix="helpdesk-private-"))
    hidden.chmod(0o700)
    with pytest.raises(embedded.EmbeddedPostgresError, match=r"chmod o\+x|DATABASE_URL"):
        embedded.start(hidden / "data")
    shutil.rmtree(hidden, ignore_errors=True)


def test_uri_is_a_libpq_uri() -> None:
    class Fake:
        pgdata = Path("/srv/pg")

    assert embedded.uri(Fake(), "db1") == "postgresql://postgres:@/db1?host=/srv/pg"
    assert psycopg.conninfo.conninfo_to_dict(embedded.uri(Fake()))["host"] == "/srv/pg"
