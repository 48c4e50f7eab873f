"""docker/: the Prometheus scrape config, the Grafana provisioning and dashboard, and their
compose services agree with the app's metrics (the compose file itself is validated by
`make docker-config`)."""

import json
import re
from pathlib import Path

import yaml
from django.conf import settings
from prometheus_client import REGISTRY

from apps.core import metrics

DOCKER = Path(settings.BASE_DIR) / "docker"
DASHBOARD = DOCKER / "grafana" / "dashboards" / "reelsmith.json"
SUFFIXES = ("_total", "_bucket", "_count", "_sum")


def defined_metric_names(db=None) -> set[str]:
    """Every family the app exports: the process metrics and the scrape-time samplers."""
    names = {
        f.name for f in REGISTRY.collect() if f.name.startswith("reelsmith_")
    }  # counters are named without _total here
    for sampler in metrics.SAMPLERS.values():
        names |= {f.name for f in sampler()}
    names.add("reelsmith_metrics_sampler_up")
    return names


def dashboard_exprs() -> list[str]:
    board = json.loads(DASHBOARD.read_text())
    return [t["expr"] for p in board["panels"] for t in p.get("targets", [])]


def base_name(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def test_every_dashboard_query_names_a_metric_the_app_exports(db):
    defined = defined_metric_names()
    used = {base_name(n) for e in dashboard_exprs() for n in re.findall(r"reelsmith_\w+", e)}
    assert used, "the dashboard queries nothing"
    assert used - defined == set()


def test_every_metric_the_app_exports_has_a_panel(db):
    used = {base_name(n) for e in dashboard_exprs() for n in re.findall(r"reelsmith_\w+", e)}
    missing = defined_metric_names() - used - {"reelsmith_uploads"}  # bytes cover uploads
    assert missing == set()


def test_the_dashboard_uses_the_provisioned_datasource_and_has_unique_panel_ids():
    board = json.loads(DASHBOARD.read_text())
    source = yaml.safe_load(
        (DOCKER / "grafana/provisioning/datasources/prometheus.yml").read_text()
    )
    uid = source["datasources"][0]["uid"]
    assert source["datasources"][0]["url"] == "http://prometheus:9090"
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == uid
    provider = yaml.safe_load(
        (DOCKER / "grafana/provisioning/dashboards/reelsmith.yml").read_text()
    )
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_prometheus_scrapes_the_web_service_with_the_token():
    config = yaml.safe_load((DOCKER / "prometheus/prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == ["web:8000"]
    assert job["authorization"]["type"] == "Bearer"
    compose = yaml.safe_load((DOCKER / "compose.yml").read_text())
    entrypoint = " ".join(compose["services"]["prometheus"]["entrypoint"])
    assert job["authorization"]["credentials_file"] in entrypoint


def test_compose_shares_one_metrics_directory_and_monitoring_is_optional():
    compose = yaml.safe_load((DOCKER / "compose.yml").read_text())
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        directory = env["PROMETHEUS_MULTIPROC_DIR"]
        assert f"metrics:{directory}" in services[name]["volumes"]
        assert "METRICS_TOKEN" in env and "LOG_FORMAT" in env
        assert "profiles" not in services[name]
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["monitoring"]
    assert compose["volumes"]["metrics"]["driver_opts"]["type"] == "tmpfs"
    grafana = services["grafana"]["volumes"]
    assert "./grafana/dashboards:/var/lib/grafana/dashboards:ro" in grafana
