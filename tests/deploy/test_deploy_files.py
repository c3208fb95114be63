"""The deployment files: Kubernetes manifests against the API schemas, the compose file through
a strict Compose-spec parser, the nginx config through `nginx -t`, the Dockerfile through hadolint."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy import nginx

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
K8S_VERSION = "1.33"


def _documents() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, doc) for path in sorted(K8S.glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def test_kubernetes_manifests_validate_against_the_schemas() -> None:
    import kubernetes_validate

    docs = _documents()
    for path, doc in docs:
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{path.name}: {exc.message} at {list(exc.path)}")
    kinds = {doc["kind"]: doc for _, doc in docs}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Secret",
            "Job"} <= set(kinds)
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    app = pod["containers"][0]
    assert app["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert app["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert pod["initContainers"][0]["command"] == ["helpdesk", "migrate"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    secret = kinds["Secret"]["metadata"]["name"]
    assert {"DATABASE_URL", "AUTH_JWT_SECRET"} <= set(kinds["Secret"]["stringData"])
    assert all(ref["secretRef"]["name"] == secret for ref in app["envFrom"])
    labels = kinds["Deployment"]["spec"]["selector"]["matchLabels"]
    assert kinds["Service"]["spec"]["selector"] == labels
    assert kinds["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"] == labels
    assert kinds["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]["name"] == \
        kinds["Deployment"]["metadata"]["name"]


def test_a_broken_manifest_is_caught() -> None:
    import kubernetes_validate

    _, deployment = next((p, d) for p, d in _documents() if d["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def test_compose_file_is_valid_and_wires_the_replicas() -> None:
    from compose_spec import PyCompose

    text = (ROOT / "compose.yaml").read_text()
    compose = PyCompose.from_yaml(text)
    compose.validate()
    with pytest.raises(ValueError):
        PyCompose.from_yaml(text.replace("condition: service_healthy", "condition: sometime", 1))
    services = yaml.safe_load(text)["services"]
    assert services["postgres"]["image"].startswith("pgvector/pgvector:")
    replicas = sorted(name for name, svc in services.items() if svc.get("build") == ".")
    assert len(replicas) == 2
    for name in replicas:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql://") and "@postgres:5432/" in env["DATABASE_URL"]
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    proxy = services["nginx"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert set(proxy["depends_on"]) == set(replicas)
    upstreams = nginx.upstream_servers(nginx.CONF.read_text())
    assert sorted(u.split(":")[0] for u in upstreams) == replicas
    assert {u.split(":")[1] for u in upstreams} == set(services[replicas[0]]["expose"])


def test_nginx_config_passes_nginx_t_and_is_sse_safe() -> None:
    text = nginx.CONF.read_text()
    for directive in ("proxy_buffering off;", "proxy_read_timeout 3600s;", "proxy_http_version 1.1;"):
        assert directive in text
    conf = nginx.write(["127.0.0.1:1", "127.0.0.1:2"], 8080)
    try:
        ok = nginx.check(conf)
        assert ok.returncode == 0, ok.stderr
        conf.write_text(conf.read_text().replace("proxy_buffering off;", "proxy_buffering sideways;"))
        assert nginx.check(conf).returncode != 0
    finally:
        shutil.rmtree(conf.parent, ignore_errors=True)


def _stages(text: str) -> list[list[tuple[str, str]]]:
    """Dockerfile instructions (continuations joined) grouped by FROM."""
    stages: list[list[tuple[str, str]]] = []
    for raw in re.sub(r"\\\n", " ", text).splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        stages[-1].append((word.upper(), rest.strip()))
    return stages


def test_dockerfile_is_multi_stage_non_root_with_a_readyz_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = _stages(text)
    assert len(stages) >= 2
    final = dict(stages[-1])
    assert final["USER"].split(":")[0] not in ("root", "0")
    assert "/readyz" in final["HEALTHCHECK"]
    assert final["ENTRYPOINT"] == '["helpdesk", "serve"]'
    assert any(word == "COPY" and "--from=build" in rest for word, rest in stages[-1])
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert f'"helpdesk-agent[otel]=={version}"' in final["RUN"] or \
        any(f"=={version}" in rest for word, rest in stages[-1] if word == "RUN")
    hadolint = Path(sys.executable).parent / "hadolint"
    r = subprocess.run([str(hadolint), "--failure-threshold", "warning", "-"], input=text,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run([str(hadolint), "--failure-threshold", "warning", "-"],
                       input=text.replace("USER 10001:10001", "USER root"), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode != 0  # DL3002: the last USER should not be root
