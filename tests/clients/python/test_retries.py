"""Retry rules and error decoding, with httpx.MockTransport standing in for the server
(the live tests cover the same paths against the real one)."""

import email.utils
import time

import httpx
import pytest
from reelsmith import (
    APIConnectionError,
    AsyncReelsmith,
    ContentPolicy,
    FileTooLarge,
    InsufficientCredits,
    JobFailed,
    ModelUnavailable,
    NotFound,
    RateLimited,
    Reelsmith,
    ReelsmithError,
    ServerError,
    StorageFull,
    ValidationError,
    VideoGenerationRequest,
    WaitTimeout,
)
from reelsmith._core import backoff_delay, retry_after_seconds

from tests.clients.python import aio

JOB = {"id": "job_1", "status": "queued", "progress": 0, "result": None, "error": None}


def envelope(code, status, retryable=False, details=None, headers=None):
    body = {"error": {"code": code, "message": code.lower(), "retryable": retryable,
                      "details": details or {}}}  # fmt: skip
    return httpx.Response(status, json=body, headers=headers or {})


def make(handler, **kw):
    client = Reelsmith(
        api_key="rsk_test",
        base_url="http://api.test",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        **kw,
    )
    sleeps: list[float] = []
    client._sleep = sleeps.append
    return client, sleeps


def test_429_waits_retry_after_then_succeeds():
    answers = iter([envelope("RATE_LIMIT_EXCEEDED", 429, True, headers={"Retry-After": "7"})])

    def handler(request):
        return next(answers, httpx.Response(200, json={"balance": 5, "held": 0, "available": 5}))

    client, sleeps = make(handler)
    assert client.balance().available == 5
    assert len(sleeps) == 1 and 7 <= sleeps[0] <= 7.25


def test_retry_after_as_an_http_date_is_understood():
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= retry_after_seconds(when) <= 30
    assert retry_after_seconds("12") == 12 and retry_after_seconds("soon") is None


def test_a_retry_after_past_max_retry_wait_raises_at_once():
    def handler(request):
        return envelope("RATE_LIMIT_EXCEEDED", 429, True, headers={"Retry-After": "120"})

    client, sleeps = make(handler, max_retry_wait=60)
    with pytest.raises(RateLimited) as info:
        client.balance()
    assert info.value.retry_after == 120 and sleeps == []


def test_at_most_three_retries_then_the_error():
    calls = []

    def handler(request):
        calls.append(request)
        return envelope("INTERNAL_ERROR", 500, retryable=True)

    client, sleeps = make(handler)
    with pytest.raises(ServerError):
        client.balance()
    assert len(calls) == 4 and len(sleeps) == 3
    # Full jitter under an exponential ceiling: 0.5, 1, 2 s.
    assert all(0 <= s <= 0.5 * 2**i for i, s in enumerate(sleeps))


def test_a_5xx_not_marked_retryable_is_not_retried_and_4xx_never_are():
    for response in (envelope("INTERNAL_ERROR", 500, retryable=False),
                     envelope("VALIDATION_ERROR", 400)):  # fmt: skip
        calls = []

        def handler(request, response=response, calls=calls):
            calls.append(request)
            return response

        client, _ = make(handler)
        with pytest.raises(ReelsmithError):
            client.balance()
        assert len(calls) == 1


def test_a_proxys_bare_503_is_retried():
    answers = iter([httpx.Response(503, text="upstream down")])

    def handler(request):
        return next(answers, httpx.Response(200, json={"balance": 1, "held": 0, "available": 1}))

    client, sleeps = make(handler)
    assert client.balance().balance == 1 and len(sleeps) == 1


def test_a_dropped_submit_is_resent_with_the_same_idempotency_key():
    keys = []

    def handler(request):
        keys.append(request.headers["Idempotency-Key"])
        if len(keys) == 1:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        return httpx.Response(202, json=JOB)

    client, _ = make(handler)
    response = client.generate_video(VideoGenerationRequest("x"), wait=False)
    assert response.task_id == "job_1"
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0].startswith("rs-")


def test_an_upload_is_resent_only_when_nothing_was_sent(tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    for exc, expected_calls in ((httpx.ReadError("reset"), 1), (httpx.ConnectError("refused"), 2)):
        calls = []

        def handler(request, exc=exc, calls=calls):
            calls.append(request)
            if len(calls) == 1:
                raise exc
            return httpx.Response(201, json={"id": "ast_1", "kind": "image"})

        client, _ = make(handler)
        if expected_calls == 1:
            with pytest.raises(APIConnectionError):
                client.upload(path)
        else:
            assert client.upload(path).id == "ast_1"
        assert len(calls) == expected_calls


def test_connection_errors_after_the_retries_are_api_connection_errors():
    def handler(request):
        raise httpx.ConnectError("refused")

    client, sleeps = make(handler)
    with pytest.raises(APIConnectionError) as info:
        client.poll_video("job_1")
    assert info.value.status is None and len(sleeps) == 3


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        ("INSUFFICIENT_CREDITS", 402, InsufficientCredits),
        ("RATE_LIMIT_EXCEEDED", 429, RateLimited),
        ("CONTENT_POLICY", 400, ContentPolicy),
        ("FILE_TOO_LARGE", 413, FileTooLarge),
        ("PAYLOAD_TOO_LARGE", 413, FileTooLarge),
        ("STORAGE_FULL", 507, StorageFull),
        ("MODEL_UNAVAILABLE", 400, ModelUnavailable),
        ("INVALID_RESOLUTION", 400, ValidationError),
        ("NOT_FOUND", 404, NotFound),
        ("SOMETHING_NEW", 418, ReelsmithError),
    ],
)
def test_errors_are_the_class_of_their_code(code, status, cls):
    client, _ = make(lambda request: envelope(code, status, details={"x": 1}), max_retries=0)
    with pytest.raises(cls) as info:
        client.balance()
    assert type(info.value) is cls
    assert (info.value.code, info.value.status, info.value.details) == (code, status, {"x": 1})


def test_waiting_past_the_timeout_raises_wait_timeout_with_the_task():
    client, _ = make(lambda request: httpx.Response(200, json={**JOB, "status": "running"}))
    with pytest.raises(WaitTimeout) as info:
        client.wait_for_video("job_1", timeout=0)
    assert info.value.task_id == "job_1"


def test_the_async_client_follows_the_same_rules():
    keys = []

    def handler(request):
        if request.url.path == "/api/v1/generate":
            keys.append(request.headers["Idempotency-Key"])
            if len(keys) == 1:
                return envelope("RATE_LIMIT_EXCEEDED", 429, True, headers={"Retry-After": "2"})
            return httpx.Response(202, json=JOB)
        return httpx.Response(200, json={**JOB, "status": "completed", "progress": 100})

    async def scenario():
        client = AsyncReelsmith(
            api_key="k",
            base_url="http://api.test",
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        )
        sleeps = []

        async def sleep(seconds):
            sleeps.append(seconds)

        client._sleep = sleep
        seen = []
        response = await client.generate_video(VideoGenerationRequest("x"), on_progress=seen.append)
        return response, sleeps, seen

    response, sleeps, seen = aio.run(scenario())
    assert response.status == "completed"
    assert keys[0] == keys[1] and 2 <= sleeps[0] <= 2.25
    assert [r.status for r in seen] == ["queued", "completed"]


def test_backoff_is_capped():
    assert all(0 <= backoff_delay(n) <= 8 for n in range(20))


@pytest.mark.parametrize(
    ("error", "cls"),
    [
        ({"code": "STORAGE_FULL", "message": "full", "retryable": False}, StorageFull),
        ({"code": "CONTENT_POLICY", "message": "no", "retryable": False}, ContentPolicy),
        ({"code": "DELIVERY_FAILED", "message": "lost", "retryable": True}, JobFailed),
        (None, JobFailed),
    ],
)
def test_a_waited_job_that_fails_raises_the_class_of_its_error(error, cls):
    job = {**JOB, "status": "failed" if error else "rejected", "error": error}
    client, _ = make(lambda request: httpx.Response(200, json=job))
    with pytest.raises(cls) as info:
        client.wait_for_video("job_1")
    assert info.value.task_id == "job_1" and info.value.job_status == job["status"]
    assert info.value.code == (error["code"] if error else "REJECTED")
    # Looking without waiting does not raise: the job is there to read.
    assert client.poll_video("job_1").status == job["status"]


def test_video_bytes_follow_the_result_redirect_and_retries_keep_their_headers():
    seen = []
    done = {**JOB, "status": "completed", "result": {"size_bytes": 4, "format": "mp4"}}

    def handler(request):
        seen.append((request.url.path, request.headers["Accept"]))
        if request.url.path == "/api/v1/tasks/job_1":
            return httpx.Response(200, json=done)
        if request.url.path == "/api/v1/tasks/job_1/result":
            if sum(path.endswith("/result") for path, _ in seen) == 1:
                return httpx.Response(503, text="busy")
            return httpx.Response(302, headers={"Location": "http://api.test/media-signed/t"})
        return httpx.Response(200, content=b"MP4!")

    client, sleeps = make(handler)
    response = client.poll_video("job_1")
    assert response.video_bytes == b"MP4!" and response.size == 4 and len(sleeps) == 1
    assert [accept for path, accept in seen if path != "/api/v1/tasks/job_1"] == ["*/*"] * 3
