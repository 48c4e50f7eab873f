"""GET /api/v1/tasks/{id} (issue 19): the full JSON of a task in every state, pinned, and
the same as JobSerializer's; one query for the read; another workspace's task is the
same 404 as a missing one; a transition shows on the very next read."""

import datetime as dt
import json
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from apps.core.errors import NotFound
from apps.gallery import hls, storage
from apps.gallery.models import Asset
from apps.jobs import selectors
from apps.jobs.api.serializers import JobSerializer
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_progress, job_transition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("held_clock")]

CREATED = dt.datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)
STARTED = dt.datetime(2026, 3, 1, 12, 0, 5, tzinfo=dt.UTC)
ENDED = dt.datetime(2026, 3, 1, 12, 1, 7, 250000, tzinfo=dt.UTC)
ATTEMPT_AT = "2026-03-01T12:00:40.500000+00:00"


def make_job(workspace, **fields) -> Job:
    base = {
        "method": "text-to-video",
        "model": "local/text-to-video",
        "provider": "local",
        "prompt": "A red fox at dawn",
        "params": {"duration": 1, "resolution": "480p", "fps": 24},
        "credits_estimated": 7,
        "credits_held": 7,
    }
    job = Job.objects.create(workspace=workspace, **{**base, **fields})
    Job.objects.filter(pk=job.pk).update(created_at=CREATED)
    job.refresh_from_db()
    return job


def make_result(workspace, *, hls_key: str = "", thumbnail: bool = True) -> Asset:
    asset = Asset.objects.create(
        workspace=workspace,
        status="ready",
        kind="video",
        storage_key=f"ws/{workspace.public_id}/ast_result/video.mp4",
        thumbnail_key=f"ws/{workspace.public_id}/ast_result/thumb.jpg" if thumbnail else "",
        hls_key=hls_key,
        original_name="fox.mp4",
        content_type="video/mp4",
        container="mp4",
        size_bytes=123_456,
        duration=1.04,
        width=854,
        height=480,
    )
    return asset


def token_payload(url: str, *, salt: str) -> dict:
    path = urlsplit(url).path
    token = path.split("/")[3] if "/hls/" in path else path.rstrip("/").rsplit("/", 1)[-1]
    return signing.TimestampSigner(salt=salt).unsign_object(token)


def expected(job: Job, **changes) -> dict:
    body = {
        "id": job.public_id,
        "status": "queued",
        "progress": 0,
        "stage": "",
        "method": "text-to-video",
        "model": "local/text-to-video",
        "sandbox": False,
        "prompt": "A red fox at dawn",
        "params": {"duration": 1, "resolution": "480p", "fps": 24},
        "inputs": {},
        "notes": [],
        "created_at": "2026-03-01T12:00:00.123456Z",
        "started_at": None,
        "completed_at": None,
        "error": None,
        "result": None,
        "credits": {"estimated": 7, "held": 7, "charged": 0},
        "fallback_models": [],
        "attempts": [],
    }
    body.update(changes)
    return body


def read(actor, job: Job) -> dict:
    response = actor.api.get(f"/api/v1/tasks/{job.public_id}")
    assert response.status_code == 200, response.content
    # The bytes on the wire are the serializer's, key order included.
    rendered = JSONRenderer().render(JobSerializer(Job.objects.get(pk=job.pk)).data)
    assert response.content == rendered
    return json.loads(response.content)


def test_a_queued_task_reads_in_full(alice):
    job = make_job(alice.workspace)
    assert read(alice, job) == expected(job)


def test_a_running_task_shows_its_progress_stage_and_start(alice):
    job = make_job(
        alice.workspace,
        status=JobStatus.RUNNING,
        progress=42,
        stage="Rendering frames",
        started_at=STARTED,
        inputs={"image": "ast_input1"},
        notes=["Duration rounded to 1 s."],
        sandbox=True,
    )
    assert read(alice, job) == expected(
        job,
        status="running",
        progress=42,
        stage="Rendering frames",
        started_at="2026-03-01T12:00:05Z",
        inputs={"image": "ast_input1"},
        notes=["Duration rounded to 1 s."],
        sandbox=True,
    )


def test_a_completed_task_carries_its_result_with_signed_links(alice, job_storage, settings):
    asset = make_result(alice.workspace)
    job = make_job(
        alice.workspace,
        status=JobStatus.COMPLETED,
        progress=100,
        stage="Done",
        started_at=STARTED,
        completed_at=ENDED,
        result_asset=asset,
        credits_charged=7,
        attempt_log=[
            {"model": "local/text-to-video", "provider": "local", "error": None, "at": ATTEMPT_AT}
        ],
    )
    body = read(alice, job)
    result = body["result"]
    assert body == expected(
        job,
        status="completed",
        progress=100,
        stage="Done",
        started_at="2026-03-01T12:00:05Z",
        completed_at="2026-03-01T12:01:07.250000Z",
        credits={"estimated": 7, "held": 7, "charged": 7},
        attempts=[
            {"model": "local/text-to-video", "provider": "local", "error": None, "at": ATTEMPT_AT}
        ],
    ) | {"result": result}
    ttl = settings.GALLERY_SIGNED_URL_TTL_S
    assert result == {
        "asset": asset.public_id,
        "video_url": result["mp4_url"],
        "hls_url": None,
        "mp4_url": storage.asset_url(asset),
        "thumbnail_url": storage.asset_thumbnail_url(asset),
        "duration": 1.04,
        "width": 854,
        "height": 480,
        "format": "mp4",
        "size_bytes": 123_456,
    }
    assert result["mp4_url"].startswith("http://testserver/")
    assert token_payload(result["mp4_url"], salt=storage.SIGNER_SALT) == {
        "k": asset.storage_key,
        "t": ttl,
        "a": 0,
        "n": "fox.mp4",
        "c": "video/mp4",
    }
    assert token_payload(result["thumbnail_url"], salt=storage.SIGNER_SALT) == {
        "k": asset.thumbnail_key,
        "t": ttl,
        "a": 0,
        "n": "thumb.jpg",
        "c": "image/jpeg",
    }


def test_a_completed_hls_task_plays_its_master_playlist(alice, job_storage):
    asset = make_result(
        alice.workspace,
        hls_key=f"ws/{alice.workspace.public_id}/ast_result/hls-master.m3u8",
        thumbnail=False,
    )
    job = make_job(
        alice.workspace,
        status=JobStatus.COMPLETED,
        progress=100,
        completed_at=ENDED,
        result_asset=asset,
        params={"duration": 9, "output_format": "hls"},
    )
    result = read(alice, job)["result"]
    assert result["format"] == "hls"
    assert result["thumbnail_url"] is None
    assert result["video_url"] == result["hls_url"] == hls.hls_url(asset)
    assert urlsplit(result["hls_url"]).path.endswith("/master.m3u8")
    assert token_payload(result["hls_url"], salt=hls.HLS_SIGNER_SALT)["p"] == (
        f"ws/{alice.workspace.public_id}/ast_result/hls-"
    )
    assert result["mp4_url"] == storage.asset_url(asset)


def test_a_result_asset_on_a_task_that_is_not_completed_is_not_shown(alice, job_storage):
    job = make_job(
        alice.workspace,
        status=JobStatus.DELIVERING,
        progress=100,
        result_asset=make_result(alice.workspace),
    )
    assert read(alice, job)["result"] is None


def test_a_failed_task_names_its_error(alice):
    job = make_job(
        alice.workspace,
        status=JobStatus.FAILED,
        completed_at=ENDED,
        error_code="PROCESSING_TIMEOUT",
        error_message="The job ran past its deadline.",
        error_retryable=True,
        credits_held=0,
    )
    assert read(alice, job) == expected(
        job,
        status="failed",
        completed_at="2026-03-01T12:01:07.250000Z",
        error={
            "code": "PROCESSING_TIMEOUT",
            "message": "The job ran past its deadline.",
            "retryable": True,
        },
        credits={"estimated": 7, "held": 0, "charged": 0},
    )


def test_a_cancelled_task_reads_as_cancelled(alice):
    job = make_job(
        alice.workspace, status=JobStatus.CANCELLED, completed_at=ENDED, stage="Cancelled"
    )
    assert read(alice, job) == expected(
        job,
        status="cancelled",
        stage="Cancelled",
        completed_at="2026-03-01T12:01:07.250000Z",
    )


def test_fallbacks_list_every_attempt_and_only_their_documented_keys(alice):
    job = make_job(
        alice.workspace,
        status=JobStatus.RUNNING,
        model="wavespeed/wan-2.2",
        provider="wavespeed",
        fallback_models=["fal/wan-2.2", "replicate/wan-2.2"],
        attempt_log=[
            {
                "model": "runway/gen-4",
                "provider": "runway",
                "error": {"code": "MODEL_UNAVAILABLE", "message": "down", "extra": 1},
                "at": ATTEMPT_AT,
                "internal": "not shown",
            }
        ],
    )
    body = read(alice, job)
    assert body["fallback_models"] == ["fal/wan-2.2", "replicate/wan-2.2"]
    assert body["attempts"] == [
        {
            "model": "runway/gen-4",
            "provider": "runway",
            "error": {"code": "MODEL_UNAVAILABLE", "message": "down"},
            "at": ATTEMPT_AT,
        }
    ]


def test_a_continuation_task_shows_its_parameters_and_source(alice):
    params = {
        "duration": 5,
        "continuation": {"source": "ast_src", "crossfade": 0.5},
        "prompt_extend": "more",
    }
    job = make_job(
        alice.workspace,
        method="extend-video",
        params=params,
        inputs={"video": "ast_src"},
        status=JobStatus.REVIEW,
    )
    assert read(alice, job) == expected(
        job, method="extend-video", params=params, inputs={"video": "ast_src"}, status="review"
    )


def test_the_read_is_one_query_after_authentication(alice):
    job = make_job(alice.workspace, status=JobStatus.COMPLETED, completed_at=ENDED)
    alice.api.get(f"/api/v1/tasks/{job.public_id}")  # warm: the key and workspace
    with CaptureQueriesContext(connection) as queries:
        response = alice.api.get(f"/api/v1/tasks/{job.public_id}")
    assert response.status_code == 200
    reads = [q["sql"] for q in queries if "jobs_job" in q["sql"] or "gallery_asset" in q["sql"]]
    assert len(reads) == 1, reads


def test_another_workspaces_task_is_the_same_404_as_a_missing_one(alice, charlie):
    job = make_job(alice.workspace)
    foreign = charlie.api.get(f"/api/v1/tasks/{job.public_id}")
    missing = charlie.api.get("/api/v1/tasks/job_doesnotexist")
    assert foreign.status_code == missing.status_code == 404
    strip = lambda body: {**body["error"], "details": {}}  # noqa: E731 (request ids differ)
    assert strip(foreign.json()) == strip(missing.json())
    assert foreign.json()["error"]["code"] == "NOT_FOUND"


def test_a_transition_shows_on_the_very_next_read(alice):
    job = make_job(alice.workspace)
    assert read(alice, job)["status"] == "queued"
    job_transition(job_id=job.pk, from_={JobStatus.QUEUED}, to=JobStatus.RUNNING, stage="Go")
    assert read(alice, job)["status"] == "running"
    job_progress(job_id=job.pk, progress=55, stage="Halfway")
    body = read(alice, job)
    assert (body["progress"], body["stage"]) == (55, "Halfway")


@pytest.mark.parametrize(
    "changes",
    [
        {"fallback_models": [1, "fal/wan-2.2"]},
        {"fallback_models": {}},
        {"attempt_log": {}},
        {"attempt_log": [{"model": "m", "provider": "p", "at": ""}]},
        {
            "attempt_log": [
                {"model": 7, "provider": "p", "error": {"code": 1, "message": ""}, "at": "x"}
            ]
        },
        {"params": [], "inputs": [], "notes": {"odd": True}},
    ],
)
def test_json_the_pipeline_never_writes_still_reads_as_the_serializer_shows_it(alice, changes):
    job = make_job(alice.workspace, status=JobStatus.RUNNING, started_at=STARTED, **changes)
    read(alice, job)


def test_job_get_loads_every_column_and_the_result_asset_in_one_query(alice, charlie):
    asset = make_result(alice.workspace)
    job = make_job(
        alice.workspace, status=JobStatus.COMPLETED, completed_at=ENDED, result_asset=asset
    )
    with CaptureQueriesContext(connection) as queries:
        got = selectors.job_get(workspace=alice.workspace, public_id=job.public_id)
        got_asset = got.result_asset
    assert len(queries) == 1
    fields = [f.attname for f in Job._meta.concrete_fields]
    assert [getattr(got, f) for f in fields] == [getattr(job, f) for f in fields]
    asset_fields = [f.attname for f in Asset._meta.concrete_fields]
    assert [getattr(got_asset, f) for f in asset_fields] == [
        getattr(asset, f) for f in asset_fields
    ]
    assert not got._state.adding
    assert (got._state.db, got_asset._state.db) == ("default", "default")
    with pytest.raises(NotFound):
        selectors.job_get(workspace=charlie.workspace, public_id=job.public_id)


def test_job_get_of_a_job_without_a_result_does_not_query_for_one(alice):
    job = make_job(alice.workspace)
    got = selectors.job_get(workspace=alice.workspace, public_id=job.public_id)
    with CaptureQueriesContext(connection) as queries:
        assert got.result_asset is None
    assert len(queries) == 0
