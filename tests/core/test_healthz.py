import time

import pytest
from celery import current_app
from django.core.files.storage import default_storage

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_component(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage", "worker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_healthz_is_503_naming_the_broker_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(current_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "broker" in response.json()["down"]


def test_healthz_is_503_naming_storage_when_it_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(default_storage, "save", broken)
    body = client.get("/healthz").json()
    assert body["down"] == ["storage"]
    assert "disk full" in body["checks"]["storage"]["error"]


def test_healthz_is_503_naming_the_worker_when_none_consumes(client, not_eager, settings):
    settings.HEALTHZ_WORKER_TIMEOUT_S = 1.0
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "worker" in response.json()["down"]


def test_healthz_is_200_with_a_real_worker_consuming_the_queue(
    client, not_eager, settings, real_worker
):
    settings.HEALTHZ_WORKER_TIMEOUT_S = 3.0
    deadline = time.monotonic() + 60
    while True:
        response = client.get("/healthz")
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        assert real_worker.poll() is None, "the worker died: see var/test-worker.log"
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["worker"]["ok"]
