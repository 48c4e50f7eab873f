"""/metrics: off without METRICS_TOKEN, bearer-protected with it, parsed by
prometheus-client's own parser; HTTP requests counted by URL name (bounded labels); the
request id header; the JSON log lines of requests and job transitions."""

import io
import json
import logging
from unittest.mock import ANY

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from apps.accounts.models import ApiKey
from apps.core import metrics
from apps.core.logs import JsonFormatter
from apps.jobs.models import Job

TOKEN = "s3cret-metrics-token"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client: Client) -> dict[tuple[str, frozenset], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


# --- the token -------------------------------------------------------------------------


def test_metrics_are_a_404_when_no_token_is_configured(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Bearer wrong-token", f"Basic {TOKEN}", f"Token {TOKEN}",
     f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}"],
)  # fmt: skip
def test_a_missing_or_wrong_token_is_a_401_in_the_envelope(client, token, header):
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert response.json() == {
        "error": {
            "code": "AUTHENTICATION_FAILED",
            "message": ANY,
            "retryable": False,
            "details": {"request_id": response["X-Request-ID"]},
        }
    }
    assert "# HELP" not in response.content.decode()


def test_an_api_key_does_not_open_the_metrics(client, token, alice):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {alice.key}")
    assert response.status_code == 401


def test_the_token_opens_parseable_metrics(client, token, db):
    client.get("/healthz")
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    names = {f.name for f in text_string_to_metric_families(response.content.decode())}
    assert {
        "reelsmith_http_requests",
        "reelsmith_http_request_duration_seconds",
        "reelsmith_credits_held",
        "reelsmith_queue_depth",
        "reelsmith_moderation_queue_size",
        "reelsmith_moderation_queue_oldest_age_seconds",
        "reelsmith_jobs_past_deadline",
        "reelsmith_metrics_sampler_up",
    } <= names
    # (A labelled metric shows up once it has a sample: in multiprocess mode only values
    # are kept in the files, tests/core/test_metrics_live.py counts the job ones.)


def test_only_get_reads_the_metrics(client, token):
    response = client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 405


# --- HTTP metrics ----------------------------------------------------------------------


def test_requests_are_counted_by_url_name_not_by_path(client, token, alice):
    before = scrape(client)
    for _ in range(3):
        assert alice.api.get("/api/v1/tasks/job_doesnotexist1").status_code == 404
    assert alice.api.get("/api/v1/tasks/job_doesnotexist2").status_code == 404
    assert client.get("/no/such/page/12345").status_code == 404
    after = scrape(client)
    route = {"route": "api:task-detail", "method": "GET", "status": "404"}
    assert (
        value(after, "reelsmith_http_requests_total", **route)
        - value(before, "reelsmith_http_requests_total", **route)
        == 4
    )
    unmatched = {"route": "unmatched", "method": "GET", "status": "404"}
    assert (
        value(after, "reelsmith_http_requests_total", **unmatched)
        - value(before, "reelsmith_http_requests_total", **unmatched)
        == 1
    )
    duration = {"route": "api:task-detail", "method": "GET"}
    assert (
        value(after, "reelsmith_http_request_duration_seconds_count", **duration)
        - value(before, "reelsmith_http_request_duration_seconds_count", **duration)
        == 4
    )
    labels = {v for (_, ls) in after for _, v in ls}
    assert not any("doesnotexist" in v or "12345" in v for v in labels)


def test_an_unusual_method_is_counted_as_other(client, token):
    before = scrape(client)
    client.generic("BREW", "/healthz")
    after = scrape(client)
    labels = {"route": "healthz", "method": "other", "status": "405"}
    assert (
        value(after, "reelsmith_http_requests_total", **labels)
        - value(before, "reelsmith_http_requests_total", **labels)
        == 1
    )


def test_without_multiprocess_mode_the_registry_of_this_process_is_served(monkeypatch):
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    families = {f.name for f in text_string_to_metric_families(metrics.exposition().decode())}
    assert "reelsmith_http_requests" in families
    assert "reelsmith_metrics_sampler_up" in families


def test_a_failing_sampler_is_reported_and_the_rest_still_served(client, token, monkeypatch):
    def broken():
        raise RuntimeError("broker down")

    monkeypatch.setitem(metrics.SAMPLERS, "zz-broken", broken)
    samples = scrape(client)
    assert value(samples, "reelsmith_metrics_sampler_up", sampler="zz-broken") == 0
    assert value(samples, "reelsmith_metrics_sampler_up", sampler="queues") == 1


def test_the_moderation_backlog_and_stuck_jobs_are_sampled(client, token, alice):
    from datetime import timedelta

    from django.utils import timezone

    from apps.moderation.models import ModerationCase

    case = ModerationCase.objects.create(
        subject_type="job",
        subject_id="job_sampled",
        workspace=alice.workspace,
        opened_at=timezone.now() - timedelta(hours=2),
    )
    job = Job.objects.create(
        workspace=alice.workspace,
        method="text-to-video",
        model="local/text-to-video",
        provider="local",
        status="running",
        deadline_at=timezone.now() - timedelta(minutes=5),
    )
    samples = scrape(client)
    assert value(samples, "reelsmith_moderation_queue_size", subject_type="job") == 1
    age = value(samples, "reelsmith_moderation_queue_oldest_age_seconds", subject_type="job")
    assert 7200 <= age < 7300
    assert value(samples, "reelsmith_jobs_past_deadline", status="running") == 1
    assert value(samples, "reelsmith_jobs_past_deadline", status="queued") == 0
    assert case.pk and job.pk


# --- the request id --------------------------------------------------------------------


def test_a_safe_client_request_id_is_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="trace-42.abc:DEF_1")
    assert response["X-Request-ID"] == "trace-42.abc:DEF_1"


@pytest.mark.parametrize(
    "given", ["", "x" * 129, "has space", "semi;colon", "new\nline", "ünïcode", "<script>"]
)
def test_an_unsafe_or_too_long_request_id_is_replaced(client, given):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


def test_a_request_id_of_128_characters_is_kept(client):
    given = "a" * 128
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given


def test_every_request_gets_an_id_of_its_own(client):
    ids = {client.get("/healthz")["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_the_request_id_is_in_the_error_envelope(alice):
    response = alice.api.get("/api/v1/tasks/job_nope", HTTP_X_REQUEST_ID="req-from-client")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-from-client"
    assert response.json()["error"]["details"] == {"request_id": "req-from-client"}


def test_the_request_id_joins_the_details_of_a_validation_error(alice):
    response = alice.api.post(
        "/api/v1/generate", {"method": 5}, format="json", HTTP_X_REQUEST_ID="rid-1"
    )
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert details["request_id"] == "rid-1"
    assert "fields" in details or len(details) > 1


def test_the_request_id_is_in_a_404_of_an_unknown_api_url(client):
    response = client.get("/api/v1/no-such-thing", HTTP_X_REQUEST_ID="rid-404")
    assert response.status_code == 404
    assert response.json()["error"]["details"]["request_id"] == "rid-404"


# --- JSON log lines ----------------------------------------------------------------------


@pytest.fixture
def json_lines():
    """Lines the JSON formatter writes for the request and job loggers."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("reelsmith.request"), logging.getLogger("reelsmith.jobs")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


def test_one_json_line_per_request(alice, settings, json_lines):
    settings.LOG_REQUESTS = True
    response = alice.api.get("/api/v1/tasks/job_nope", HTTP_X_REQUEST_ID="rid-log-1")
    assert response.status_code == 404
    (line,) = [entry for entry in json_lines() if entry.get("event") == "request"]
    assert line == {
        "ts": ANY,
        "level": "INFO",
        "logger": "reelsmith.request",
        "message": "GET /api/v1/tasks/job_nope 404",
        "event": "request",
        "method": "GET",
        "route": "api:task-detail",
        "path": "/api/v1/tasks/job_nope",
        "status": 404,
        "duration_ms": ANY,
        "request_id": "rid-log-1",
        "workspace_id": alice.workspace.public_id,
        "user_id": alice.user.public_id,
        "api_key_id": ApiKey.objects.get(workspace=alice.workspace).public_id,
    }
    assert isinstance(line["duration_ms"], float)


def test_no_request_line_unless_asked(alice, settings, json_lines):
    settings.LOG_REQUESTS = False
    alice.api.get("/api/v1/tasks/job_nope")
    assert [e for e in json_lines() if e.get("event") == "request"] == []


def test_a_page_request_names_the_session_user_and_no_key(client, alice, settings, json_lines):
    settings.LOG_REQUESTS = True
    client.force_login(alice.user)
    assert client.get("/").status_code == 200
    (line,) = [e for e in json_lines() if e.get("event") == "request"]
    assert line["route"] == "dashboard:home"
    assert line["user_id"] == alice.user.public_id
    assert line["workspace_id"] == alice.workspace.public_id
    assert line["api_key_id"] is None


@pytest.mark.django_db(transaction=True)
def test_job_transitions_log_one_json_line_each_with_the_request_id(alice, json_lines):
    response = alice.api.post(
        "/api/v1/generate",
        {"method": "text-to-video", "model": "local/text-to-video", "prompt": "A kite",
         "duration": 1, "resolution": "480p"},
        format="json",
        HTTP_X_REQUEST_ID="rid-job-7",
    )  # fmt: skip
    assert response.status_code == 202, response.content
    job = Job.objects.get()
    assert job.status == "completed"  # eager tasks: the whole run inside the request
    lines = [e for e in json_lines() if e.get("event") == "job.transition"]
    steps = [(e["from_status"], e["to_status"]) for e in lines]
    assert steps == [
        (None, "queued"),
        ("queued", "running"),
        ("running", "delivering"),
        ("delivering", "completed"),
    ]
    for entry in lines:
        assert entry["job_id"] == job.public_id
        assert entry["workspace_id"] == alice.workspace.public_id
        assert entry["request_id"] == "rid-job-7"
        assert entry["logger"] == "reelsmith.jobs"


def test_a_transition_that_rolls_back_logs_nothing(
    alice, json_lines, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from apps.jobs.services import job_transition

    job = Job.objects.create(
        workspace=alice.workspace,
        method="text-to-video",
        model="local/text-to-video",
        provider="local",
        status="queued",
    )
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            job_transition(job_id=job.pk, from_={"queued"}, to="running")
            raise RuntimeError("roll back")
        job_transition(job_id=job.pk, from_={"queued"}, to="cancelled")
    job.refresh_from_db()
    assert job.status == "cancelled"
    lines = [e for e in json_lines() if e.get("event") == "job.transition"]
    assert [(e["from_status"], e["to_status"]) for e in lines] == [("queued", "cancelled")]


def test_the_json_formatter_keeps_exceptions_on_one_line():
    logger = logging.getLogger("tests.json")
    record = None
    try:
        raise ValueError("boom")
    except ValueError:
        record = logger.makeRecord(
            "tests.json", logging.ERROR, __file__, 1, "failed %s", ("x",), exc_info=True
        )
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed x"
    assert "ValueError: boom" in entry["exc_info"]


# --- the request id in Celery tasks --------------------------------------------------------


class _Task:
    def __init__(self, eager: bool, **request) -> None:
        self.request = type("Req", (), {"is_eager": eager, "headers": None, **request})()


def test_a_task_sent_during_a_request_carries_its_id_and_the_worker_takes_it_up():
    from apps.core import requestid

    token = requestid.bind("rid-celery-1")
    try:
        headers: dict = {}
        requestid._on_publish(headers=headers)
        assert headers == {requestid.TASK_HEADER: "rid-celery-1"}
    finally:
        requestid.unbind(token)
    # In the worker: the header becomes the current id for that task only.
    requestid._on_prerun(task=_Task(False, **{requestid.TASK_HEADER: "rid-celery-1"}))
    assert requestid.current() == "rid-celery-1"
    requestid._on_postrun(task=_Task(False))
    assert requestid.current() is None
    # A task without the header (beat's sweep) runs with none, not the previous task's.
    requestid._on_prerun(task=_Task(False, **{requestid.TASK_HEADER: "rid-old"}))
    requestid._on_prerun(task=_Task(False))
    assert requestid.current() is None


def test_an_eager_task_keeps_the_callers_id_and_a_forged_header_is_ignored():
    from apps.core import requestid

    token = requestid.bind("rid-caller")
    try:
        requestid._on_prerun(task=_Task(True))
        requestid._on_postrun(task=_Task(True))
        assert requestid.current() == "rid-caller"
    finally:
        requestid.unbind(token)
    requestid._on_prerun(task=_Task(False, **{requestid.TASK_HEADER: "bad id\nx"}))
    assert requestid.current() is None
    headers: dict = {}
    requestid._on_publish(headers=headers)
    assert headers == {}
