"""Queues split by kind of work (docs/scaling.md): a local-engine job's start goes to the
local queue, a provider job's start and its polls to the provider queue, the rest to the
default queue. Read back from the real broker, as a worker started with `-Q` would."""

import pytest
from celery import current_app
from django.conf import settings

from apps.jobs.enqueue import enqueue
from apps.jobs.models import Job
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = pytest.mark.django_db

PROVIDER_JOB = {
    "method": "text-to-video",
    "model": "wavespeed-ai/hunyuan-video-1.5/text-to-video",
    "prompt": "A red fox at dawn",
    "duration": 5,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}
QUEUES = ("celery", "jobs-local", "jobs-provider")


def drain() -> dict[str, list[tuple[str, list]]]:
    """Every message waiting on each queue, as (task name, args), taken off the queue."""
    found: dict[str, list[tuple[str, list]]] = {}
    with current_app.connection_for_read() as conn:
        channel = conn.default_channel
        for queue in QUEUES:
            found[queue] = []
            while (message := channel.basic_get(queue, no_ack=True)) is not None:
                args = message.decode()[0]
                found[queue].append((message.headers["task"], args))
    return found


@pytest.fixture
def broker(not_eager):
    drain()  # whatever an earlier test left behind
    return drain


def submit(actor, body, django_capture_on_commit_callbacks) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        response = actor.api.post("/api/v1/generate", body, format="json")
    assert response.status_code == 202, response.json()
    return Job.objects.get(public_id=response.json()["id"])


def test_the_queue_names_are_the_ones_workers_are_started_with():
    assert QUEUES[1:] == (settings.JOBS_LOCAL_QUEUE, settings.JOBS_PROVIDER_QUEUE)
    # A worker started without -Q consumes every declared queue.
    assert {q.name for q in current_app.amqp.queues.consume_from.values()} == set(QUEUES)


def test_a_local_job_starts_on_the_local_queue(alice, broker, django_capture_on_commit_callbacks):
    fund(alice.workspace, 100)
    job = submit(alice, TEXT_JOB, django_capture_on_commit_callbacks)
    assert job.provider == "local"
    sent = broker()
    assert sent["jobs-local"] == [("jobs.start", [job.pk])]
    assert sent["jobs-provider"] == [] and sent["celery"] == []


def test_a_provider_job_starts_and_polls_on_the_provider_queue(
    alice, broker, settings, django_capture_on_commit_callbacks
):
    settings.WAVESPEED_API_KEY = "sk-test-not-called"  # the model is available; no call is made
    fund(alice.workspace, 10_000)
    job = submit(alice, PROVIDER_JOB, django_capture_on_commit_callbacks)
    assert job.provider == "wavespeed"
    enqueue("jobs.poll", job.pk, scheduled=False)
    enqueue("jobs.provider_cancel", job.pk)
    sent = broker()
    assert sent["jobs-provider"] == [
        ("jobs.start", [job.pk]),
        ("jobs.poll", [job.pk]),
        ("jobs.provider_cancel", [job.pk]),
    ]
    assert sent["jobs-local"] == [] and sent["celery"] == []


def test_a_start_sent_with_only_the_job_id_finds_its_queue_from_the_job(
    alice, broker, settings, django_capture_on_commit_callbacks
):
    """The sweep re-queues a stuck job by id alone."""
    settings.WAVESPEED_API_KEY = "sk-test-not-called"
    fund(alice.workspace, 10_000)
    local = submit(alice, TEXT_JOB, django_capture_on_commit_callbacks)
    remote = submit(alice, PROVIDER_JOB, django_capture_on_commit_callbacks)
    broker()
    enqueue("jobs.start", local.pk)
    enqueue("jobs.start", remote.pk)
    sent = broker()
    assert sent["jobs-local"] == [("jobs.start", [local.pk])]
    assert sent["jobs-provider"] == [("jobs.start", [remote.pk])]


def test_a_webhook_delivery_stays_on_the_default_queue(broker):
    current_app.tasks["webhooks.deliver"].apply_async(args=[0])
    assert broker() == {
        "celery": [("webhooks.deliver", [0])],
        "jobs-local": [],
        "jobs-provider": [],
    }
