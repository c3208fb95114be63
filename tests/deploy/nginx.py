"""deploy/nginx.conf rendered for this machine (loopback upstreams, temp paths) and run."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def upstream_servers(text: str) -> list[str]:
    """The `server host:port` entries of the helpdesk upstream."""
    block = re.search(r"upstream helpdesk \{(.*?)\}", text, re.S)
    assert block, "deploy/nginx.conf has no `upstream helpdesk` block"
    return re.findall(r"^\s*server\s+(\S+?)[\s;]", block.group(1), re.M)


def render(upstreams: list[str], port: int, prefix: Path) -> str:
    """The deploy config with these upstreams, this listen port and files under `prefix`."""
    text = CONF.read_text()
    first, *_ = upstream_servers(text)
    options = re.search(rf"server\s+{re.escape(first)}([^;]*);", text)
    suffix = options.group(1) if options else ""
    lines = "".join(f"        server {u}{suffix};\n" for u in upstreams)
    text = re.sub(r"(upstream helpdesk \{\n(?:\s*#.*\n)*)(?:\s*server .*\n)+", rf"\g<1>{lines}", text)
    text = text.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    text = text.replace("worker_processes auto;", "worker_processes 1;")  # one round-robin state
    text = text.replace("/tmp/", f"{prefix}/").replace("/dev/stderr", f"{prefix}/error.log")
    return text


def write(upstreams: list[str], port: int) -> Path:
    """A rendered config in a fresh temp prefix; returns the config path."""
    prefix = Path(tempfile.mkdtemp(prefix="helpdesk-nginx-"))
    prefix.chmod(0o755)
    conf = prefix / "nginx.conf"
    conf.write_text(render(upstreams, port, prefix))
    return conf


def check(conf: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on the config."""
    return subprocess.run([NGINX, "-t", "-p", str(conf.parent), "-c", str(conf)],
                          capture_output=True, text=True, timeout=30)


@contextmanager
def proxy(upstreams: list[str]) -> Iterator[str]:
    """nginx in front of `upstreams` on a free loopback port; yields its base URL."""
    port = free_port()
    conf = write(upstreams, port)
    proc = subprocess.Popen([NGINX, "-p", str(conf.parent), "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, (conf.parent / "error.log").read_text()
            try:
                httpx.get(f"{url}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(15)
        shutil.rmtree(conf.parent, ignore_errors=True)
