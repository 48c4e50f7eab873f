"""The free perk without an account (issue 17, spec 003: "Seedance Lite I2V at 5 s @ 480p
is FREE for all users including anonymous"): a visitor's POST /api/v1/generate is
accepted only for a free-perk combination, ANONYMOUS_FREE_JOBS_PER_DAY per address,
screened, read only through its capability URL, deleted after 24 h, and it never touches
a credit account."""

import datetime as dt
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from apps.billing.models import CreditAccount, CreditHold, LedgerEntry
from apps.gallery.models import Asset
from apps.jobs.anonymous import anonymous_workspace
from apps.jobs.models import AnonymousJob, Job, JobStatus
from apps.jobs.sweep import jobs_sweep
from apps.moderation.models import ModerationCase

PERK = {
    "method": "image-to-video",
    "model": "seedance-lite-i2v",
    "prompt": "The lighthouse beam sweeps across the waves",
    "duration": "5",
    "resolution": "480p",
}


def perk_body(png, **changes):
    body = {**PERK, "source_file": SimpleUploadedFile("still.png", png.read_bytes())}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def visitor(address: str = "203.0.113.7") -> APIClient:
    return APIClient(REMOTE_ADDR=address)


def money_snapshot() -> tuple:
    return (
        list(CreditAccount.objects.order_by("pk").values_list("pk", "balance", "held")),
        LedgerEntry.objects.count(),
        CreditHold.objects.count(),
    )


@pytest.fixture
def perk_sandbox(settings, live_server, media_storage):
    """PROVIDER_SANDBOX on (as under `make run`): the fal model runs on the in-app fal
    sandbox, reached through the live server."""
    settings.PROVIDER_SANDBOX = True
    settings.PROVIDER_SANDBOX_POLLS = 2
    settings.PUBLIC_BASE_URL = live_server.url
    settings.PROVIDER_WEBHOOK_BASE_URL = ""
    settings.OUTBOUND_ALLOWED_NETLOCS = []
    return live_server.url


@pytest.fixture(autouse=True)
def sandbox_on(settings):
    """The fal model is available through the provider sandbox (no FAL_KEY here). In
    the tests without a live server the job is accepted but never starts."""
    settings.PROVIDER_SANDBOX = True


def _run_perk(png) -> tuple[dict, Job]:
    response = visitor().post("/api/v1/generate", perk_body(png), format="multipart")
    assert response.status_code == 202, response.json()
    body = response.json()
    job = Job.objects.get(public_id=body["id"])
    return body, job


@pytest.mark.django_db(transaction=True)
def test_a_visitor_runs_the_free_perk_on_the_sandbox_and_no_credit_account_changes(
    alice, perk_sandbox, png
):
    from tests.jobs.conftest import fund

    fund(alice.workspace, 500)
    before = money_snapshot()

    body, job = _run_perk(png)

    assert body["capability_url"].startswith("/api/v1/anonymous/tasks/")
    assert body["credits"] == {"estimated": 0, "held": 0, "charged": 0}
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED, (job.error_code, job.error_message)
    assert job.sandbox and job.provider == "fal" and job.model == "seedance-lite-i2v"
    assert job.params["duration"] == 5 and job.params["resolution"] == "480p"
    assert job.hold is None and job.credits_charged == 0
    assert job.workspace == anonymous_workspace() and job.created_by is None
    assert AnonymousJob.objects.get(job=job).client_address == "203.0.113.7"
    # Not one credit moved anywhere: no account opened, no entry, no hold.
    assert money_snapshot() == before
    assert not CreditAccount.objects.filter(workspace=job.workspace).exists()

    polled = APIClient().get(body["capability_url"])
    assert polled.status_code == 200
    assert polled["Cache-Control"] == "private, no-store"
    detail = polled.json()
    assert (detail["id"], detail["status"]) == (job.public_id, "completed")
    video_url = detail["result"]["video_url"]
    assert "/media-signed/" in video_url  # a signed, short-lived link
    assert job.result_asset.visibility == "private"
    assert APIClient().get(video_url.split(perk_sandbox, 1)[-1]).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_visitors_job_input_and_result_are_deleted_24_hours_after_submission(perk_sandbox, png):
    body, job = _run_perk(png)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assets = list(Asset.objects.filter(workspace=job.workspace))
    assert len(assets) == 2  # the uploaded image and the result
    names = [key for a in assets for key in (a.storage_key, a.thumbnail_key) if key]
    assert all(default_storage.exists(name) for name in names)

    # The capability is also refused from the 24th hour on, and a later sweep deletes.
    assert jobs_sweep(now=timezone.now() + dt.timedelta(hours=23))["anonymous_expired"] == 0
    assert Job.objects.filter(pk=job.pk).exists()
    assert (
        jobs_sweep(now=timezone.now() + dt.timedelta(hours=24, minutes=1))["anonymous_expired"] == 1
    )
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not AnonymousJob.objects.exists()
    assert not Asset.objects.filter(workspace=job.workspace).exists()
    assert not any(default_storage.exists(name) for name in names)
    assert APIClient().get(body["capability_url"]).status_code == 404


@pytest.mark.django_db
def test_the_fourth_free_job_in_a_day_from_one_address_is_429_naming_the_limit(png, settings):
    settings.ANONYMOUS_FREE_JOBS_PER_DAY = 3
    for _ in range(3):
        response = visitor().post("/api/v1/generate", perk_body(png), format="multipart")
        assert response.status_code == 202, response.json()

    fourth = visitor().post("/api/v1/generate", perk_body(png), format="multipart")
    assert fourth.status_code == 429
    error = fourth.json()["error"]
    assert error["code"] == "RATE_LIMIT_EXCEEDED"
    assert "ANONYMOUS_FREE_JOBS_PER_DAY" in error["message"] and "3 free jobs" in error["message"]
    assert error["details"]["anonymous_free_jobs_per_day"] == 3
    assert int(fourth["Retry-After"]) > 0
    assert Job.objects.count() == 3

    # Another address has its own three.
    other = visitor("198.51.100.9").post("/api/v1/generate", perk_body(png), format="multipart")
    assert other.status_code == 202


@pytest.mark.django_db
def test_the_address_is_the_one_the_trusted_proxy_saw(png, settings):
    settings.ANONYMOUS_FREE_JOBS_PER_DAY = 1
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = APIClient(REMOTE_ADDR="10.0.0.1")
    first = proxy.post(
        "/api/v1/generate", perk_body(png), format="multipart", HTTP_X_FORWARDED_FOR="192.0.2.1"
    )
    assert first.status_code == 202
    # A spoofed left-most entry does not make a new address.
    again = proxy.post(
        "/api/v1/generate",
        perk_body(png),
        format="multipart",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.1",
    )
    assert again.status_code == 429
    other = proxy.post(
        "/api/v1/generate", perk_body(png), format="multipart", HTTP_X_FORWARDED_FOR="192.0.2.2"
    )
    assert other.status_code == 202
    assert AnonymousJob.objects.get(job__public_id=other.json()["id"]).client_address == (
        "192.0.2.2"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"model": "seedance-lite-t2v", "method": "text-to-video", "source_file": None},
        {"model": "seedance-pro-i2v"},
        {"model": "local/text-to-video", "method": "text-to-video", "source_file": None},
        {"duration": "10"},
        {"resolution": "720p"},
        {"model": None},
        {"duration": "five"},
        {"webhook_url": "https://example.com/hook"},
        {"fallback_models": "seedance-pro-i2v"},
    ],
    ids=[
        "non-perk-model",
        "non-perk-i2v",
        "local-engine",
        "10s",
        "720p",
        "no-model",
        "bad-duration",
        "webhook",
        "paid-fallback",
    ],
)
def test_without_a_key_anything_but_the_perk_is_401(png, changes):
    response = visitor().post("/api/v1/generate", perk_body(png, **changes), format="multipart")
    assert response.status_code == 401, response.json()
    assert response.json()["error"]["code"] == "AUTHENTICATION_FAILED"
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_gallery_asset_id_is_refused_to_a_visitor(png):
    body = {**PERK, "source_asset": "ast_0000000000000000"}
    response = visitor().post("/api/v1/generate", body, format="json")
    assert response.status_code == 401
    assert "gallery assets need an account" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_without_a_key_every_other_endpoint_stays_401(anon_api):
    for method, url in [
        ("post", "/api/v1/process"),
        ("get", "/api/v1/tasks"),
        ("get", "/api/v1/tasks/job_123/result"),
        ("get", "/api/v1/gallery"),
    ]:
        response = getattr(anon_api, method)(url, {}, format="json")
        assert response.status_code == 401, (url, response.status_code)


@pytest.mark.django_db
def test_refused_and_failed_visitor_submits_do_not_use_up_the_days_jobs(png, settings):
    settings.ANONYMOUS_FREE_JOBS_PER_DAY = 1
    assert (
        visitor().post("/api/v1/generate", perk_body(png, duration="10"), format="multipart")
    ).status_code == 401
    blocked = visitor().post(
        "/api/v1/generate", perk_body(png, prompt="ch1ld  p.o.r.n"), format="multipart"
    )
    assert blocked.status_code == 400
    assert visitor().post("/api/v1/generate", perk_body(png), format="multipart").status_code == (
        202
    )


@pytest.mark.django_db
def test_a_visitors_prompt_is_screened_like_any_other(png):
    response = visitor().post(
        "/api/v1/generate", perk_body(png, prompt="ch1ld  p.o.r.n"), format="multipart"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "CONTENT_POLICY"
    assert error["details"]["category"] == "sexual_minors"
    assert not Job.objects.exists()
    # A prompt that needs a moderator holds the job for review like any other.
    review = visitor().post(
        "/api/v1/generate",
        perk_body(png, prompt="A knight's g0ry duel in the rain"),
        format="multipart",
    )
    assert review.status_code == 202
    assert review.json()["status"] == "review"
    assert ModerationCase.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.isolation("api:anonymous-task")
def test_only_the_capability_token_opens_a_visitors_job(png, alice_api, charlie_api):
    body = visitor().post("/api/v1/generate", perk_body(png), format="multipart").json()
    token = body["capability_url"].rsplit("/", 1)[1]
    assert len(token) >= 40
    assert APIClient().get(body["capability_url"]).json()["id"] == body["id"]

    for wrong in [token[:-1] + ("A" if token[-1] != "A" else "B"), body["id"], "x" * 500, "0"]:
        response = APIClient().get(f"/api/v1/anonymous/tasks/{wrong}")
        assert response.status_code == 404, wrong
        assert response.json()["error"]["code"] == "NOT_FOUND"
    # A key of any workspace does not reach it through the ordinary routes, nor list it.
    for api in (alice_api, charlie_api):
        assert api.get(f"/api/v1/tasks/{body['id']}").status_code == 404
        assert body["id"] not in json.dumps(api.get("/api/v1/tasks").json())
    # Nothing of the token is stored but its digest.
    assert not AnonymousJob.objects.filter(token_sha256=token).exists()


@pytest.mark.django_db
def test_an_idempotency_key_from_a_visitor_never_replays_another_visitors_job(png):
    first = visitor().post(
        "/api/v1/generate", perk_body(png), format="multipart", HTTP_IDEMPOTENCY_KEY="k1"
    )
    second = visitor("198.51.100.1").post(
        "/api/v1/generate", perk_body(png), format="multipart", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] != second.json()["id"]
    assert first.json()["capability_url"] != second.json()["capability_url"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"model": ["seedance-lite-i2v"]},
        {**PERK, "duration": 5.5},
        {**PERK, "unknown": {"a": [1, 2, 3]}},
        {**PERK, "prompt": "x" * 200_000},
        json.loads("[" * 60 + "]" * 60),
    ],
    ids=["list-model", "float-duration", "unknown-field", "huge-prompt", "deep-nesting"],
)
def test_hostile_visitor_bodies_are_4xx_never_500(body):
    response = visitor().post("/api/v1/generate", body, format="json")
    assert 400 <= response.status_code < 500, response.status_code
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_models_list_shows_which_models_are_free_perks(alice_api):
    models = {m["id"]: m for m in alice_api.get("/api/v1/models").json()["results"]}
    perk = models["seedance-lite-i2v"]
    assert perk["free_perk"] is True
    assert perk["pricing"]["free_perks"] == [{"resolution": "480p", "max_duration": 5}]
    assert models["seedance-lite-t2v"]["free_perk"] is False
    assert models["seedance-pro-i2v"]["free_perk"] is False
