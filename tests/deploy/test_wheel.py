"""The wheel, installed (not editable) into a fresh venv, serves a turn: what `pip install .`,
a Dockerfile or `langgraph build` gets is the whole package with its data files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.processes import free_port, wait_http_ready
from tests.server.helpers import who

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "build", "dist",
                              ".helpdesk", ".*_cache", "tests", "bench")


def _run(*cmd: str, **kw: object) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)  # type: ignore[call-overload]
    assert r.returncode == 0, f"{cmd}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


def _build(tmp: Path) -> Path:
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)  # the build leaves nothing in the work tree
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "dist"), str(src))
    (wheel,) = (tmp / "dist").glob("helpdesk_agent-*.whl")
    return wheel


def _check_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("server/routes/__init__.py", "tools/llm/global_planner.v1.txt",
                   "tools/kb/articles/vpn-setup.en.md", "tools/planner/vocab.yaml",
                   "tools/kb/synonyms.yaml", "checkpoints/saver.py", "nodes/finalize.py",
                   "turn/contract.py"):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "bench/")) for n in names)
    ours = {n.split("/")[0] for n in names if not n.startswith("helpdesk_agent-")}
    assert ours == {"checkpoints", "graph", "nodes", "server", "tools", "turn"}, ours


def test_wheel_installs_and_serves_a_turn() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="helpdesk-wheel-"))
    tmp.chmod(0o755)
    try:
        wheel = _build(tmp)
        _check_contents(wheel)
        venv = tmp / "venv"
        _run(sys.executable, "-m", "venv", str(venv))
        _run(str(venv / "bin" / "pip"), "install", "-q", str(wheel))
        where = _run(str(venv / "bin" / "python"), "-c",
                     "import server.routes, tools.llm.prompts as p; print(server.routes.__file__);"
                     "print(p.prompt_versions())", cwd=tmp)
        assert str(venv) in where.stdout and "global_planner" in where.stdout, where.stdout
        _serve_one_turn(venv, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _serve_one_turn(venv: Path, tmp: Path) -> None:
    data, port = tmp / "data", free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "AUTH_JWT_SECRET", "OPENAI_MODEL", "PYTHONPATH")}
    env.update(HELPDESK_MODE="rules", PATH=f"{venv / 'bin'}:{env.get('PATH', '')}")
    log = tmp / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(venv / "bin" / "helpdesk"), "serve", "--port", str(port),
                                 "--data-dir", str(data)], cwd=tmp, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http_ready(proc, f"{url}/readyz", timeout=180, log=log)
        user = who()
        r = httpx.post(f"{url}/agent", json={"message": "我的VPN连不上了，帮我提个工单"}, headers=user,
                       timeout=30)
        assert r.status_code == 200 and r.json()["status"] == "OK", r.text
        hits = httpx.get(f"{url}/kb/search", params={"q": "VPN"}, headers=user, timeout=30)
        assert hits.status_code == 200 and hits.json(), hits.text  # the sample KB shipped
    finally:
        proc.terminate()
        assert proc.wait(60) == 0, log.read_text()[-3000:]
