"""PROVIDER_SANDBOX: the fake providers served by the app itself under /_sandbox/<provider>/
(through PUBLIC_BASE_URL), every adapter pointed at them, every model available at its
real price, sandbox output marked, and the SSRF guard opened for that prefix only."""

import os
import subprocess
import sys

import httpx
import pytest
from django.conf import settings as django_settings

from apps.billing.models import CreditAccount, CreditHold
from apps.billing.services import credits_grant
from apps.catalog.registry import CATALOG
from apps.core.http import OutboundError, resolve_public, validate_public_url
from apps.jobs.models import Job, JobStatus
from apps.providers.credentials import key_for_submit
from apps.providers.models import ProviderCredential

# One text-to-video model per provider, at its defaults.
ONE_MODEL_PER_PROVIDER = [
    "wavespeed-ai/hunyuan-video-1.5/text-to-video",
    "seedance-lite-t2v",
    "grok-imagine-t2v",
    "runway-gen-4",
    "veo3-fast",
    "sora-2-standard-t2v",
    "pika-1.0",
]


@pytest.fixture
def in_app_sandbox(settings, live_server, media_storage):
    """The sandbox on, reached through the live server as PUBLIC_BASE_URL."""
    settings.PROVIDER_SANDBOX = True
    settings.PROVIDER_SANDBOX_POLLS = 2
    settings.PUBLIC_BASE_URL = live_server.url
    settings.PROVIDER_WEBHOOK_BASE_URL = ""
    # Real keys configured for the real providers must never reach the fake ones.
    settings.WAVESPEED_API_KEY = "real-wavespeed-key"
    settings.OUTBOUND_ALLOWED_NETLOCS = []
    return live_server.url


def fund(workspace, credits):
    credits_grant(workspace=workspace, credits=credits, idempotency_key=f"fund:{workspace.pk}")


def balance(workspace) -> tuple[int, int]:
    account = CreditAccount.objects.get(workspace=workspace)
    return account.balance, account.held


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("model", ONE_MODEL_PER_PROVIDER)
def test_a_provider_model_runs_on_the_in_app_sandbox_and_charges_its_real_price(
    alice, in_app_sandbox, model
):
    fund(alice.workspace, 100_000)
    body = {"method": "text-to-video", "model": model, "prompt": "A red fox at dawn"}
    price = alice.api.post("/api/v1/estimate-cost", body, format="json").json()["estimated_credits"]
    assert price > 0  # a real price, not the local engine's

    response = alice.api.post("/api/v1/generate", body, format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["sandbox"] is True

    job = Job.objects.get(public_id=response.json()["id"])
    assert job.status == JobStatus.COMPLETED, (job.error_code, job.error_message)
    assert job.sandbox and job.provider_task_id
    assert job.credits_estimated == job.credits_charged == price
    assert job.hold.state == CreditHold.State.CAPTURED
    assert balance(alice.workspace) == (100_000 - price, 0)
    assert job.result_asset.sandbox and job.result_asset.duration

    detail = alice.api.get(f"/api/v1/tasks/{job.public_id}").json()
    assert (detail["status"], detail["sandbox"]) == ("completed", True)
    asset = alice.api.get(f"/api/v1/gallery/{job.result_asset.public_id}").json()
    assert asset["sandbox"] is True


@pytest.mark.django_db(transaction=True)
def test_a_sandbox_failure_releases_the_hold(alice, in_app_sandbox):
    fund(alice.workspace, 10_000)
    body = {"method": "text-to-video", "model": "pika-1.0", "prompt": "A fox [sandbox:fail]"}
    job = Job.objects.get(
        public_id=alice.api.post("/api/v1/generate", body, format="json").json()["id"]
    )
    assert job.status == JobStatus.FAILED
    assert job.hold.state == CreditHold.State.RELEASED
    assert balance(alice.workspace) == (10_000, 0)


@pytest.mark.django_db(transaction=True)
def test_local_jobs_are_not_marked_sandbox(alice, settings, media_storage):
    settings.PROVIDER_SANDBOX = True
    body = {
        "method": "text-to-video",
        "model": "local/text-to-video",
        "prompt": "A red fox",
        "duration": 1,
        "resolution": "480p",
        "fps": 24,
    }
    response = alice.api.post("/api/v1/generate", body, format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["sandbox"] is False
    job = Job.objects.get(public_id=response.json()["id"])
    assert job.status == JobStatus.COMPLETED and not job.result_asset.sandbox


@pytest.mark.django_db
def test_every_catalog_model_is_available_with_the_sandbox_on(anon_api, settings):
    for name in ("WAVESPEED_API_KEY", "FAL_KEY", "REPLICATE_API_TOKEN", "RUNWAYML_API_SECRET"):
        setattr(settings, name, "")
    settings.PROVIDER_SANDBOX = False
    off = {m["id"]: m["available"] for m in _all_models(anon_api)}
    assert not all(off.values())
    settings.PROVIDER_SANDBOX = True
    on = {m["id"]: m["available"] for m in _all_models(anon_api)}
    assert len(on) == len(CATALOG) == 61
    assert all(on.values())


def _all_models(api) -> list[dict]:
    url, models = "/api/v1/models?limit=100", []
    while url:
        page = api.get(url).json()
        models += page["results"]
        url = page.get("next")
    return models


@pytest.mark.django_db
def test_the_sandbox_routes_are_a_404_when_it_is_off(client, settings):
    settings.PROVIDER_SANDBOX = False
    assert (
        client.post("/_sandbox/wavespeed/api/v3/x", content_type="application/json").status_code
        == 404
    )
    settings.PROVIDER_SANDBOX = True
    # On, it speaks the provider's protocol: a wrong key is the provider's own 401.
    response = client.get("/_sandbox/openai/v1/videos/x", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.django_db
def test_a_workspace_key_is_never_sent_to_the_sandbox(alice, settings):
    from apps.providers import crypto

    ProviderCredential.objects.create(
        workspace=alice.workspace,
        provider="fal",
        secret_encrypted=crypto.encrypt("real-fal"),
        last4="-fal",
    )
    settings.PROVIDER_BYOK_TIERS = [alice.workspace.tier.name]
    settings.FAL_KEY = "real-platform-fal"
    assert key_for_submit("fal", alice.workspace.pk)[0] == "real-fal"
    settings.PROVIDER_SANDBOX = True
    assert key_for_submit("fal", alice.workspace.pk) == ("sk-sandbox-fal", None)


class TestTheGuardOpensTheSandboxPrefixOnly:
    BASE = "http://127.0.0.1:8214"

    @pytest.fixture(autouse=True)
    def on(self, settings):
        settings.PROVIDER_SANDBOX = True
        settings.PUBLIC_BASE_URL = self.BASE
        settings.OUTBOUND_ALLOWED_NETLOCS = []

    def test_the_sandbox_prefix_passes(self):
        _target, address = resolve_public(f"{self.BASE}/_sandbox/files/abc.mp4")
        assert address == "127.0.0.1"
        validate_public_url(f"{self.BASE}/_sandbox/wavespeed/x")

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8214/admin/",
            "http://127.0.0.1:8214/_sandboxed/x",
            "http://127.0.0.1:8214/_sandbox/../admin/",
            "http://127.0.0.1:8214/_sandbox/%2e%2e/admin/",
            "http://127.0.0.1:8215/_sandbox/files/x.mp4",
            "https://127.0.0.1:8214/_sandbox/files/x.mp4",
            "http://localhost:8214/_sandbox/files/x.mp4",
            "http://169.254.169.254/_sandbox/files/x.mp4",
        ],
    )
    def test_anything_else_of_the_app_or_the_network_is_refused(self, url):
        with pytest.raises(OutboundError):
            resolve_public(url)

    def test_nothing_passes_with_the_sandbox_off(self, settings):
        settings.PROVIDER_SANDBOX = False
        with pytest.raises(OutboundError):
            resolve_public(f"{self.BASE}/_sandbox/files/abc.mp4")


def _settings_import(module: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PROVIDER_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-c", f"import {module} as s; print(s.PROVIDER_SANDBOX)"],
        cwd=django_settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION_ENV = {"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "example.com"}


def test_production_settings_refuse_the_sandbox():
    refused = _settings_import("config.settings.production", PROVIDER_SANDBOX="1", **PRODUCTION_ENV)
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and "PROVIDER_SANDBOX" in refused.stderr
    fine = _settings_import("config.settings.production", **PRODUCTION_ENV)
    assert (fine.returncode, fine.stdout.strip()) == (0, "False"), fine.stderr


def test_make_run_settings_turn_it_on_unless_told_not_to():
    assert _settings_import("config.settings.local").stdout.strip() == "True"
    off = _settings_import("config.settings.local", PROVIDER_SANDBOX="0")
    assert off.stdout.strip() == "False"
    assert _settings_import("config.settings.test").stdout.strip() == "False"


def test_the_sandbox_answers_through_http(live_server, settings):
    settings.PROVIDER_SANDBOX = True
    settings.PUBLIC_BASE_URL = live_server.url
    response = httpx.get(f"{live_server.url}/_sandbox/files/unknown.mp4")
    assert (response.status_code, response.json()) == (404, {"error": "no such file"})
    response = httpx.get(f"{live_server.url}/_sandbox/nowhere/x")
    assert response.status_code == 404
