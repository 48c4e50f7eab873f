"""A submit's answer (issue 19) is built by hand as the status read's is
(apps/jobs/api/detail.job_body): the JSON JobSerializer renders for the job, key order of
the top level included, whether it is queued, replayed for an Idempotency-Key, or already
delivered under Prefer: wait. (Inside `params`, keys come in the order the request sent
them, as they did from the serializer; a later read shows PostgreSQL's jsonb order.)"""

import json

import pytest
from rest_framework.renderers import JSONRenderer

from apps.jobs.api.serializers import JobSerializer
from apps.jobs.models import Job
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = pytest.mark.django_db(transaction=True)


def serializer_json(public_id: str) -> dict:
    job = Job.objects.get(public_id=public_id)
    return json.loads(JSONRenderer().render(JobSerializer(job).data))


def same(response, rendered: dict) -> bool:
    body = json.loads(response.content)
    return body == rendered and list(body) == list(rendered)


def test_a_queued_submit_answers_the_serializers_json(alice, alice_api, priced, not_eager):
    fund(alice.workspace, 100)
    response = alice_api.post("/api/v1/generate", TEXT_JOB, format="json")
    assert response.status_code == 202
    body = json.loads(response.content)
    assert body["status"] == "queued" and body["credits"]["held"] == 7
    assert same(response, serializer_json(body["id"]))


def test_a_replayed_submit_answers_the_serializers_json(alice, alice_api, not_eager):
    first = alice_api.post("/api/v1/generate", TEXT_JOB, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = alice_api.post("/api/v1/generate", TEXT_JOB, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert again.status_code == 202 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert same(again, serializer_json(first.json()["id"]))


def test_a_delivered_submit_under_prefer_wait_answers_the_serializers_json(
    alice, alice_api, job_storage, held_clock
):
    response = alice_api.post("/api/v1/generate", TEXT_JOB, format="json", HTTP_PREFER="wait=30")
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["status"] == "completed" and body["result"]["mp4_url"]
    # The signing clock is held: the links are the same as the serializer's too.
    assert same(response, serializer_json(body["id"]))
