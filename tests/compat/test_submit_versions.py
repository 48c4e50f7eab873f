"""Every compat dialect's create reads the process copies' versions in its key lookup
(`prefetched_versions` on CompatView, tests/jobs/test_submit_versions.py for the native
submit): a warm submit sends no MGET of them, and a price override committed just before
the request applies to it."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from apps.catalog.services import model_override_set
from apps.jobs.models import Job
from tests.compat.alwrity.conftest import BASE as ALWRITY
from tests.compat.alwrity.conftest import TEXT_FORM
from tests.compat.veo3.conftest import BASE as VEO3
from tests.compat.veo3.conftest import png_b64
from tests.jobs.conftest import fund
from tests.jobs.test_submit_cost import RedisSends

pytestmark = [
    pytest.mark.skipif(
        not isinstance(caches["default"], RedisCache), reason="the key lookup is Redis's"
    ),
    pytest.mark.django_db,
    pytest.mark.usefixtures("media_storage"),
]

T2V = "local/text-to-video"


def veo3(api):
    return api.post(f"{VEO3}/videos/generate", {"image": png_b64(), "duration": 1}, format="json")


def alwrity(api):
    return api.post(f"{ALWRITY}/generate", TEXT_FORM, format="multipart")


def aetherwave(api):
    body = {"prompt": "A lighthouse", "model": T2V, "duration": "1", "resolution": "480p"}
    return api.post("/compat/aetherwave/api/generate-video", body, format="json")


def openai(api):
    body = {"model": T2V, "prompt": "A red fox", "seconds": "4"}
    return api.post("/v1/videos", body, format="json")


@pytest.mark.parametrize("create", [veo3, alwrity, aetherwave, openai])
def test_a_warm_compat_create_reads_the_versions_with_its_key(create, alice):
    fund(alice.workspace, 1000)
    assert create(alice.api).status_code < 300  # warms the key record and the copies
    model = Job.objects.get(workspace=alice.workspace).model
    model_override_set(model_id=model, price_credits=3)
    with RedisSends() as sent:
        response = create(alice.api)
    assert response.status_code < 300, response.content
    sent.assert_versions_came_with_the_key()
    latest = Job.objects.filter(workspace=alice.workspace).latest("created_at")
    assert latest.credits_estimated == 3  # the override, seen through the read-along
