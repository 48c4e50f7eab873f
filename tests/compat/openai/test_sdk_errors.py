"""Errors on /v1/ in OpenAI's shape, so the official SDK raises its usual classes, and
hostile or malformed input is a 4xx naming the parameter, never a 500."""

import json

import httpx2 as httpx
import openai
import pytest
from openai.types import Video

from apps.accounts.models import Membership
from apps.jobs.models import Job
from tests.compat.openai.conftest import sdk

pytestmark = pytest.mark.django_db(transaction=True)

LOCAL = "local/text-to-video"


@pytest.fixture
def client(alice, live_server):
    return sdk(live_server.url, alice.key, max_retries=0)


def error_of(exc: openai.APIStatusError) -> dict:
    body = exc.response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]


def test_a_wrong_or_missing_key_is_an_authentication_error(live_server):
    with pytest.raises(openai.AuthenticationError) as wrong:
        sdk(live_server.url, "rs_live_not-a-key", max_retries=0).videos.list()
    assert error_of(wrong.value)["code"] == "invalid_api_key"
    missing = httpx.get(live_server.url + "/v1/videos")
    assert missing.status_code == 401
    assert missing.json()["error"]["type"] == "invalid_request_error"


def test_a_key_whose_user_left_the_workspace_is_permission_denied(bob, live_server):
    Membership.objects.filter(user=bob.user, workspace=bob.workspace).delete()
    with pytest.raises(openai.PermissionDeniedError) as denied:
        sdk(live_server.url, bob.key, max_retries=0).videos.list()
    assert error_of(denied.value)["type"] == "permission_error"


def test_past_the_tier_rate_the_sdk_gets_a_rate_limit_error(alice, client):
    alice.workspace.tier.requests_per_minute = 1
    alice.workspace.tier.save()
    client.videos.list()
    with pytest.raises(openai.RateLimitError) as limited:
        client.videos.list()
    assert error_of(limited.value)["code"] == "rate_limit_exceeded"
    assert int(limited.value.response.headers["Retry-After"]) >= 1


@pytest.mark.isolation("openai-unknown")
def test_what_is_not_served_is_openais_404(client, charlie, live_server):
    with pytest.raises(openai.NotFoundError) as unknown:
        client.models.list()
    assert error_of(unknown.value)["code"] == "unknown_url"
    with pytest.raises(openai.NotFoundError):
        client.videos.get_character("char_123")
    with pytest.raises(openai.NotFoundError):
        sdk(live_server.url, charlie.key, max_retries=0).videos.retrieve("job_notours")
    for video_id in ("job_doesnotexist", "x" * 500, "job_%00", "job_é"):
        with pytest.raises(openai.NotFoundError):
            client.videos.retrieve(video_id)


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"seconds": "abc"}, "seconds"),
        ({"seconds": "0"}, "seconds"),
        ({"seconds": "100"}, "seconds"),  # the local model makes 1-60 s
        ({"size": "999x1"}, "size"),
        ({"size": "1024x1792"}, "size"),  # OpenAI's HD size: no local 1024p
        ({"size": "1280 by 720"}, "size"),
        ({"model": "no-such-model"}, "model"),
        ({"model": "sora-2"}, "model"),  # the Sora entry: OpenAI is not configured here
        ({"extra_body": {"colour": "red"}}, "colour"),
    ],
)
def test_a_bad_create_parameter_is_a_bad_request_naming_it(client, params, param):
    params = {"model": LOCAL, "prompt": "A fox", **params}
    with pytest.raises(openai.BadRequestError) as refused:
        client.videos.create(**params)
    assert refused.value.param == param, error_of(refused.value)
    assert refused.value.response.headers["x-should-retry"] == "false"
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": LOCAL}, "prompt"),
        ({"prompt": 5}, "prompt"),
        ({"prompt": ["a"]}, "prompt"),
        ({"prompt": "A fox", "seconds": True}, "seconds"),
        ({"prompt": "A fox", "seconds": 2.5}, "seconds"),
        ({"prompt": "A fox", "size": {"w": 1}}, "size"),
        ({"prompt": "A fox", "input_reference": "https://example.com/a.png"}, "input_reference"),
        ({"prompt": "A fox", "input_reference": {"bogus": "x"}}, "input_reference.bogus"),
        ({"prompt": "A fox", "input_reference": {"image_url": 7}}, "input_reference.image_url"),
        (
            {"prompt": "A fox", "input_reference": {"image_url": "data:image/png;base64,@@"}},
            "input_reference.image_url",
        ),
        (
            {"prompt": "A fox", "input_reference": {"image_url": "ftp://example.com/a.png"}},
            "input_reference",
        ),
    ],
)
def test_a_bad_json_create_is_a_bad_request_naming_the_parameter(client, body, param):
    with pytest.raises(openai.BadRequestError) as refused:
        client.post("/videos", body=body, cast_to=Video)
    assert refused.value.param == param, error_of(refused.value)
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("query", "error", "param"),
    [
        ({"after": "job_doesnotexist"}, openai.NotFoundError, None),
        ({"after": "' OR 1=1 --"}, openai.BadRequestError, "after"),
        ({"after": "job_\x00"}, openai.BadRequestError, "after"),
        ({"after": "job_" + "a" * 5000}, openai.BadRequestError, "after"),
        ({"limit": 0}, openai.BadRequestError, "limit"),
        ({"limit": 101}, openai.BadRequestError, "limit"),
        ({"limit": -1}, openai.BadRequestError, "limit"),
        ({"order": "sideways"}, openai.BadRequestError, "order"),
    ],
)
def test_crafted_list_parameters_are_a_400_or_404(client, query, error, param):
    with pytest.raises(error) as refused:
        client.videos.list(**query)
    assert refused.value.param == param, error_of(refused.value)


def test_a_reference_to_an_asset_not_ours_is_not_found(client, charlie):
    with pytest.raises(openai.NotFoundError):
        client.videos.create(
            model=LOCAL, prompt="A fox", extra_body={"input_reference": {"file_id": "ast_nope"}}
        )
    assert not Job.objects.exists()


def test_a_remix_of_a_video_not_ours_or_with_unknown_fields_is_refused(client):
    with pytest.raises(openai.NotFoundError):
        client.videos.remix("job_doesnotexist", prompt="Again")
    with pytest.raises(openai.BadRequestError) as refused:
        client.videos.remix("job_doesnotexist", prompt="Again", extra_body={"seconds": "4"})
    assert refused.value.param == "seconds"


def test_extend_and_edit_need_a_video_and_seconds(client):
    with pytest.raises(openai.BadRequestError) as no_video:
        client.post("/videos/extensions", body={"prompt": "More", "seconds": "4"}, cast_to=Video)
    assert no_video.value.param == "video"
    with pytest.raises(openai.BadRequestError) as no_seconds:
        client.post(
            "/videos/extensions", body={"prompt": "More", "video": {"id": "job_x"}}, cast_to=Video
        )
    assert no_seconds.value.param == "seconds"
    with pytest.raises(openai.BadRequestError) as bad_ref:
        client.post("/videos/edits", body={"prompt": "Cut", "video": {"url": "x"}}, cast_to=Video)
    assert bad_ref.value.param == "video"
    with pytest.raises(openai.NotFoundError):
        client.post(
            "/videos/edits", body={"prompt": "Cut", "video": {"id": "job_x"}}, cast_to=Video
        )


def test_an_unfinished_video_has_no_content_and_variants_are_checked(client):
    review = client.videos.create(model=LOCAL, prompt="A knight's g0ry duel in the rain")
    assert review.status == "queued"
    with pytest.raises(openai.BadRequestError) as not_ready:
        client.videos.download_content(review.id)
    assert error_of(not_ready.value)["code"] == "video_not_ready"
    with pytest.raises(openai.BadRequestError) as variant:
        client.videos.download_content(review.id, variant="poster")
    assert variant.value.param == "variant"
    polled = client.videos.with_raw_response.retrieve(review.id)
    assert polled.headers["openai-poll-after-ms"] == "2000"


def test_an_11_mb_body_is_a_413_in_openais_shape(alice):
    body = b'{"prompt": "' + b"x" * (11 * 1024 * 1024) + b'"}'
    huge = alice.api.post("/v1/videos", body, content_type="application/json")
    assert huge.status_code == 413
    assert huge.json()["error"]["type"] == "invalid_request_error"
    assert huge["x-should-retry"] == "false"


def test_deep_and_malformed_bodies_are_4xx_in_openais_shape(alice, live_server):
    url = live_server.url + "/v1/videos"
    auth = {"Authorization": f"Bearer {alice.key}"}
    deep: dict = {"image_url": "x"}
    for _ in range(300):
        deep = {"a": deep}
    nested = httpx.post(url, json={"prompt": "A fox", "input_reference": deep}, headers=auth)
    assert nested.status_code == 400
    not_json = httpx.post(
        url, content=b"{nope", headers={**auth, "Content-Type": "application/json"}
    )
    assert not_json.status_code == 400
    a_list = httpx.post(
        url, content=json.dumps(["prompt"]), headers={**auth, "Content-Type": "application/json"}
    )
    assert a_list.status_code == 400
    broken = httpx.post(
        url,
        content=b"no parts here at all",
        headers={**auth, "Content-Type": "multipart/form-data; boundary=zzz"},
    )
    assert broken.status_code == 400, broken.text
    no_boundary = httpx.post(
        url, content=b"prompt=x", headers={**auth, "Content-Type": "multipart/form-data"}
    )
    assert no_boundary.status_code == 400
    form = httpx.post(url, data={"prompt": "x"}, headers=auth)
    assert form.status_code == 415
    wrong_file = httpx.post(
        url, data={"prompt": "A fox"}, files={"poster": ("a.png", b"png")}, headers=auth
    )
    assert wrong_file.status_code == 400
    put = httpx.put(url, json={}, headers=auth)
    assert put.status_code == 405
    for response in (nested, not_json, a_list, broken, no_boundary, form, wrong_file, put):
        assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    assert not Job.objects.exists()
