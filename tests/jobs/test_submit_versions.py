"""A keyed submit reads the process copies' versions (the catalogue's overrides and the
moderation terms, apps/core/refcache.py) in its key lookup's Redis round trip
(`prefetched_versions` on the view): the submit makes no cache round trip of its own, and
a change committed before the request still applies to that very request."""

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from apps.catalog.services import model_override_set
from apps.core import refcache
from apps.jobs.models import Job
from apps.moderation.models import ModerationTerm
from tests.jobs.conftest import TEXT_JOB, fund
from tests.jobs.test_submit_cost import RedisSends

pytestmark = [
    pytest.mark.skipif(
        not isinstance(caches["default"], RedisCache), reason="the key lookup is Redis's"
    ),
    pytest.mark.django_db,
]

MODEL = TEXT_JOB["model"]


def submit(actor, **fields):
    return actor.api.post("/api/v1/generate", {**TEXT_JOB, **fields}, format="json")


def submit_reading_no_versions(actor, **fields):
    """A submit that must see the versions through its key lookup: it sends no MGET of
    them (with the prefetch off, the copies would fetch them and these tests would pass
    without it). A refusal may MGET other keys: the providers' health, say."""
    with RedisSends() as sent:
        response = submit(actor, **fields)
    sent.assert_versions_came_with_the_key()
    return response


@pytest.fixture
def warm(alice, priced, not_eager):
    """A funded workspace whose key record and copies are loaded."""
    fund(alice.workspace, 1000)
    assert submit(alice).status_code == 202
    return alice


@pytest.mark.django_db(transaction=True)  # the publish runs on commit
def test_a_warm_keyed_submit_sends_the_key_lookup_and_the_publish_only(warm):
    with RedisSends() as sent:
        response = submit(warm)
    assert response.status_code == 202, response.content
    # No MGET of the copies' versions: they came back with the EVALSHA.
    publish = [b"LPUSH"] if settings.CELERY_BROKER_URL.startswith("redis") else []
    assert sent.commands == [b"EVALSHA", *publish]


def test_a_warm_openai_create_reads_no_versions_of_its_own(warm):
    with RedisSends() as sent:
        response = warm.api.post(
            "/v1/videos", {"model": MODEL, "prompt": "A red fox", "seconds": "4"}, format="json"
        )
    assert response.status_code == 200, response.content
    assert sent.commands[0] == b"EVALSHA"
    assert not {b"MGET", b"GET"} & set(sent.commands)


def test_a_price_override_committed_before_the_request_applies_to_it(warm):
    model_override_set(model_id=MODEL, price_credits=3)
    response = submit_reading_no_versions(warm)
    assert response.status_code == 202
    assert Job.objects.get(public_id=response.json()["id"]).credits_estimated == 3


def test_a_model_disabled_before_the_request_is_refused_by_it(warm):
    jobs = Job.objects.filter(workspace=warm.workspace).count()
    model_override_set(model_id=MODEL, enabled=False)
    response = submit_reading_no_versions(warm)
    assert response.status_code in (400, 404), response.content
    assert Job.objects.filter(workspace=warm.workspace).count() == jobs


def test_a_block_term_added_before_the_request_blocks_it(warm):
    ModerationTerm.objects.create(category="custom", term="zorblax", action="block")
    response = submit_reading_no_versions(warm, prompt="A zorblax at dawn")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "CONTENT_POLICY"


def test_a_missing_version_is_made_again_and_the_copy_read(warm):
    """A flushed version key reads as missing: the copy makes a fresh one and reloads."""
    names = refcache.version_names()
    cache.delete_many(names)
    model_override_set(model_id=MODEL, price_credits=5)
    cache.delete_many(names)
    response = submit_reading_no_versions(warm)
    assert response.status_code == 202
    assert Job.objects.get(public_id=response.json()["id"]).credits_estimated == 5
    assert all(cache.get(name) for name in names)


def test_prefetched_skips_missing_values_and_marks_the_versions_read():
    names = ["refcache:a:version", "refcache:b:version"]
    found = refcache.prefetched(names, [None, b"12"])
    assert found == {"refcache:b:version": "12", refcache.FETCHED: refcache.FETCHED}
