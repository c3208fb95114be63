"""`helpdesk kb ingest` as a command, on this module's database."""

import os
import subprocess
from pathlib import Path

from tests.server.live import HELPDESK

ARTICLE = """---
doc_id: cli-test-article
title: Replace the stapler
lang: en
tags: [office]
---
# Replace the stapler

Ask the front desk for a new stapler.
"""


def _ingest(db_url: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db_url}
    return subprocess.run([str(HELPDESK), "kb", "ingest", *map(str, paths)], env=env,
                          capture_output=True, text=True, timeout=120)


def test_kb_ingest(db_url: str, tmp_path: Path) -> None:
    good = tmp_path / "stapler.md"
    good.write_text(ARTICLE, encoding="utf-8")
    r = _ingest(db_url, good)
    assert r.returncode == 0 and "cli-test-article" in r.stdout, r.stderr
    bad = tmp_path / "bad.md"
    bad.write_text("no front matter", encoding="utf-8")
    r = _ingest(db_url, bad)
    assert r.returncode == 1 and "bad.md" in r.stderr and "Traceback" not in r.stderr
    r = _ingest(db_url, tmp_path / "missing.md")
    assert r.returncode == 2 and "missing.md" in r.stderr
