"""AetherWave's endpoints refuse bad input with a clear 4xx in our envelope (spec 003
shows no error answers) using the caller's field names; nothing is held for a refusal."""

import base64
import json

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Tier
from apps.billing.models import CreditAccount, CreditHold
from apps.catalog.services import model_override_set
from apps.jobs.models import Job
from tests.compat.aetherwave.conftest import BASE, aw_client, b64, fund

pytestmark = pytest.mark.django_db

GENERATE = f"{BASE}/api/generate-video"
LOCAL_T2V = {
    "prompt": "A lighthouse at dusk",
    "model": "local/text-to-video",
    "duration": "1",
    "resolution": "480p",
}


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "retryable", "details"}
    return body["error"]


def no_money_moved(workspace) -> None:
    assert not CreditHold.objects.filter(workspace=workspace).exists()
    account = CreditAccount.objects.filter(workspace=workspace).first()
    assert account is None or account.held == 0


# --- authentication -----------------------------------------------------------------------


def test_x_aw_key_carrying_our_api_key_authenticates(aw):
    response = aw.get(f"{BASE}/api/generate-video/status/job_doesnotexist")
    assert response.status_code == 404
    assert error_of(response)["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "header",
    [{"HTTP_AUTHORIZATION": "Bearer {key}"}, {"HTTP_X_API_KEY": "{key}"}],
    ids=["bearer", "x-api-key"],
)
def test_our_own_key_headers_work_too(alice, header):
    client = APIClient()
    client.credentials(**{k: v.format(key=alice.key) for k, v in header.items()})
    assert client.get(f"{BASE}/api/generate-video/status/job_nope").status_code == 404


def test_a_bad_x_aw_key_is_401_in_our_envelope(db):
    response = aw_client("rsk_AAAAAAAAAA_" + "B" * 40).post(GENERATE, LOCAL_T2V, format="json")
    assert response.status_code == 401
    assert error_of(response)["code"] == "AUTHENTICATION_FAILED"


def test_no_key_is_401_naming_the_x_aw_key_header(db):
    response = APIClient().post(GENERATE, LOCAL_T2V, format="json")
    assert response.status_code == 401
    assert "X-AW-Key" in error_of(response)["message"]


def test_failed_x_aw_keys_count_against_the_failed_auth_limit(db, settings):
    settings.AUTH_FAILURES_PER_MINUTE = 2
    bad = aw_client("rsk_AAAAAAAAAA_" + "C" * 40)
    codes = [bad.get(f"{BASE}/api/generate-video/status/job_x").status_code for _ in range(4)]
    assert codes[:2] == [401, 401]
    assert codes[-1] == 429


# --- generate-video: wrong input ------------------------------------------------------------


def test_model_is_required_as_the_spec_says(aw, alice):
    response = aw.post(GENERATE, {"prompt": "A fox"}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["details"]["field"] == "model"
    no_money_moved(alice.workspace)


def test_unknown_fields_are_refused_by_name(aw, alice):
    response = aw.post(GENERATE, {**LOCAL_T2V, "aspect_ratio": "16:9", "bogus": 1}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["details"]["unknown"] == ["aspect_ratio", "bogus"]
    assert "aspectRatio" in error["details"]["allowed"]
    assert not Job.objects.exists()


def test_project_id_is_accepted_and_ignored(aw, alice):
    response = aw.post(GENERATE, {**LOCAL_T2V, "projectId": "p1"}, format="json")
    assert response.status_code in (200, 202), response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration", "five"),
        ("duration", [5]),
        ("aspectRatio", 16),
        ("prompt", {"text": "x"}),
        ("model", 7),
        ("seed", "abc"),
        ("withAudio", "maybe"),
        ("storyboard", "scene one"),
        ("imageUrl", 12),
        ("imageData", 12),
    ],
)
def test_wrong_types_are_400_naming_their_field(aw, alice, field, value):
    response = aw.post(GENERATE, {**LOCAL_T2V, field: value}, format="json")
    assert response.status_code == 400, response.json()
    error = error_of(response)
    assert field in json.dumps(error), error
    no_money_moved(alice.workspace)


def test_errors_name_the_callers_fields_not_ours(aw):
    response = aw.post(GENERATE, {**LOCAL_T2V, "aspectRatio": "5:4"}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert [p["field"] for p in error["details"]["problems"]] == ["aspectRatio"]
    assert "aspect_ratio" not in json.dumps(error)


def test_a_body_that_is_not_an_object_is_400(aw):
    response = aw.post(GENERATE, json.dumps([LOCAL_T2V]), content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "VALIDATION_ERROR"


def test_malformed_json_is_400(aw):
    response = aw.post(GENERATE, '{"model": ', content_type="application/json")
    assert response.status_code == 400


def test_a_deeply_nested_body_is_400(aw):
    deep = "[" * 500 + "]" * 500
    body = '{"model": "local/text-to-video", "storyboard": ' + deep + "}"
    response = aw.post(GENERATE, body, content_type="application/json")
    assert response.status_code == 400


def test_a_huge_body_is_413_before_it_is_read(aw, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({**LOCAL_T2V, "prompt": "x" * 5000})
    response = aw.post(GENERATE, body, content_type="application/json")
    assert response.status_code == 413
    assert error_of(response)["code"] == "PAYLOAD_TOO_LARGE"


def test_form_encoded_bodies_are_415(aw):
    response = aw.post(GENERATE, LOCAL_T2V)  # multipart by default in the test client
    assert response.status_code == 415


# --- base64 inputs --------------------------------------------------------------------------


def test_bad_base64_is_400_naming_image_data(aw, alice):
    body = {**LOCAL_T2V, "model": "local/image-to-video", "imageData": "not base64 !!"}
    response = aw.post(GENERATE, body, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["details"]["field"] == "imageData"
    assert "imageData is not valid base64" in error["message"]
    no_money_moved(alice.workspace)


def test_base64_that_is_not_media_is_refused(aw, alice):
    data = base64.b64encode(b"just some text, not an image" * 10).decode()
    body = {**LOCAL_T2V, "model": "local/image-to-video", "imageData": data}
    response = aw.post(GENERATE, body, format="json")
    assert response.status_code in (400, 415), response.json()
    assert error_of(response)["details"]["field"] == "imageData"


def test_a_data_url_declaring_another_media_type_is_refused(aw, png):
    body = {
        **LOCAL_T2V,
        "model": "local/image-to-video",
        "imageData": "data:audio/wav;base64," + b64(png),
    }
    response = aw.post(GENERATE, body, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "UNSUPPORTED_FORMAT"
    assert error["details"]["field"] == "imageData"


def test_a_data_url_of_a_non_media_type_is_refused(aw):
    body = {**LOCAL_T2V, "model": "local/image-to-video", "imageData": "data:text/html;base64,PGI+"}
    response = aw.post(GENERATE, body, format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "UNSUPPORTED_FORMAT"


def test_base64_over_the_tier_limit_is_413_stating_the_limit(aw, alice, png):
    Tier.objects.filter(pk=alice.workspace.tier_id).update(max_upload_bytes=1024)
    alice.workspace.refresh_from_db()
    body = {**LOCAL_T2V, "model": "local/image-to-video", "imageData": b64(png)}
    assert len(png.read_bytes()) > 1024
    response = aw.post(GENERATE, body, format="json")
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "FILE_TOO_LARGE"
    assert error["details"]["limit_bytes"] == 1024
    assert "1 KB" in error["message"] and "1024 bytes" in error["message"]
    no_money_moved(alice.workspace)


# --- URLs go through the SSRF guard ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/face.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/x.png",
        "http://[::1]/x.png",
        "http://2130706433/x.png",
        "file:///etc/passwd",
        "ftp://example.com/x.png",
    ],
)
def test_image_urls_to_private_addresses_are_refused(aw, alice, url):
    body = {**LOCAL_T2V, "model": "local/image-to-video", "imageUrl": url}
    response = aw.post(GENERATE, body, format="json")
    assert response.status_code == 400, response.json()
    assert error_of(response)["details"]["field"] == "imageUrl"
    no_money_moved(alice.workspace)


def test_audio_urls_to_private_addresses_are_refused(aw):
    body = {
        "model": "infinitalk",
        "imageUrl": "https://example.com/face.jpg",
        "audioUrl": "http://192.168.1.1/speech.mp3",
    }
    response = aw.post(GENERATE, body, format="json")
    assert response.status_code == 400
    assert error_of(response)["details"]["field"] == "audioUrl"


# --- money ------------------------------------------------------------------------------------


def test_insufficient_credits_is_402_in_our_envelope_and_holds_nothing(aw, alice):
    model_override_set(model_id="local/text-to-video", price_credits=10**6)
    response = aw.post(GENERATE, LOCAL_T2V, format="json")
    assert response.status_code == 402
    error = error_of(response)
    assert error["code"] == "INSUFFICIENT_CREDITS"
    assert not Job.objects.filter(workspace=alice.workspace).exists()
    no_money_moved(alice.workspace)


def test_the_same_idempotency_key_gives_the_same_task_and_one_hold(aw, alice, not_eager):
    model_override_set(model_id="local/text-to-video", price_credits=7)
    fund(alice.workspace, 100)
    first = aw.post(GENERATE, LOCAL_T2V, format="json", HTTP_IDEMPOTENCY_KEY="aw-1")
    again = aw.post(GENERATE, LOCAL_T2V, format="json", HTTP_IDEMPOTENCY_KEY="aw-1")
    assert first.status_code == again.status_code == 202, first.json()
    assert first.json()["taskId"] == again.json()["taskId"]
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["creditsUsed"] == 7
    assert Job.objects.filter(workspace=alice.workspace).count() == 1
    assert CreditHold.objects.filter(workspace=alice.workspace).count() == 1
    other = aw.post(
        GENERATE, {**LOCAL_T2V, "prompt": "else"}, format="json", HTTP_IDEMPOTENCY_KEY="aw-1"
    )
    assert other.status_code == 409


# --- moderation -----------------------------------------------------------------------------


def test_a_blocked_prompt_is_refused_with_content_policy_and_no_hold(aw, alice):
    model_override_set(model_id="local/text-to-video", price_credits=7)
    fund(alice.workspace, 20)
    response = aw.post(GENERATE, {**LOCAL_T2V, "prompt": "ch1ld  p.o.r.n"}, format="json")
    assert response.status_code == 400, response.json()
    error = error_of(response)
    assert error["code"] == "CONTENT_POLICY"
    assert error["details"]["category"] == "sexual_minors"
    assert not Job.objects.filter(workspace=alice.workspace).exists()
    no_money_moved(alice.workspace)


def test_a_prompt_held_for_review_is_a_pending_task(aw, alice):
    model_override_set(model_id="local/text-to-video", price_credits=7)
    fund(alice.workspace, 20)
    body = {**LOCAL_T2V, "prompt": "A knight's g0ry duel in the rain"}
    response = aw.post(GENERATE, body, format="json")
    assert response.status_code == 202, response.json()
    task = aw.get(f"{BASE}/api/generate-video/status/{response.json()['taskId']}").json()
    assert (task["state"], task["videoUrl"], task["creditsDeducted"]) == ("pending", None, False)
    assert CreditAccount.objects.get(workspace=alice.workspace).held == 7


# --- other endpoints' edges ---------------------------------------------------------------


def test_remove_background_without_a_video_is_400(aw):
    response = aw.post(f"{BASE}/api/video/remove-background", {}, format="multipart")
    assert response.status_code == 400
    assert error_of(response)["details"]["field"] == "video"


def test_remove_background_refuses_other_file_parts_and_fields(aw, mp4):
    with mp4.open("rb") as fh:
        response = aw.post(f"{BASE}/api/video/remove-background", {"clip": fh}, format="multipart")
    assert response.status_code == 400
    response = aw.post(
        f"{BASE}/api/video/remove-background",
        {"videoUrl": "https://example.com/a.mp4", "color": "green"},
        format="json",
    )
    assert response.status_code == 400
    assert error_of(response)["details"]["unknown"] == ["color"]


def test_remove_background_video_urls_go_through_the_ssrf_guard(aw, alice):
    response = aw.post(
        f"{BASE}/api/video/remove-background",
        {"videoUrl": "http://127.0.0.1:9/x.mp4"},
        format="json",
    )
    assert response.status_code == 400
    assert error_of(response)["details"]["field"] == "videoUrl"
    no_money_moved(alice.workspace)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "mediaUrl"),
        ({"mediaUrl": 5}, "mediaUrl"),
        ({"mediaUrl": "https://example.com/a.mp4", "visibility": "everyone"}, "visibility"),
        ({"mediaUrl": "https://example.com/a.mp4", "mediaType": "pdf"}, "mediaType"),
        ({"mediaUrl": "https://example.com/a.mp4", "title": ["x"]}, "title"),
    ],
)
def test_save_to_gallery_refuses_bad_fields(aw, body, field):
    response = aw.post(f"{BASE}/api/save-to-gallery", body, format="json")
    assert response.status_code == 400
    assert error_of(response)["details"]["field"] == field


def test_save_to_gallery_refuses_unknown_fields(aw):
    body = {"mediaUrl": "https://example.com/a.mp4", "tags": ["x"]}
    response = aw.post(f"{BASE}/api/save-to-gallery", body, format="json")
    assert response.status_code == 400
    assert error_of(response)["details"]["unknown"] == ["tags"]


def test_save_to_gallery_urls_go_through_the_ssrf_guard(aw, alice):
    body = {"mediaUrl": "http://169.254.169.254/latest/meta-data/", "mediaType": "video"}
    response = aw.post(f"{BASE}/api/save-to-gallery", body, format="json")
    assert response.status_code == 400
    assert error_of(response)["details"]["field"] == "mediaUrl"


def test_pricing_needs_no_key_but_refuses_a_bad_one(db):
    assert APIClient().get(f"{BASE}/api/video/pricing").status_code == 200
    bad = aw_client("rsk_AAAAAAAAAA_" + "D" * 40)
    assert bad.get(f"{BASE}/api/video/pricing").status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/generate-video"),
        ("delete", "/api/generate-video/status/job_x"),
        ("post", "/api/video/pricing"),
        ("get", "/api/save-to-gallery"),
    ],
)
def test_wrong_methods_are_405(aw, method, path):
    response = getattr(aw, method)(BASE + path)
    assert response.status_code == 405
    assert error_of(response)["code"] == "METHOD_NOT_ALLOWED"


def test_an_option_the_model_lacks_is_400_not_silently_ignored(aw, settings):
    settings.FAL_KEY = "configured"  # Seedance runs on fal: available, so only this is wrong
    # Spec 003 says other models ignore negativePrompt; we refuse rather than drop it.
    body = {"prompt": "A fox", "model": "seedance-lite-t2v", "negativePrompt": "blur"}
    response = aw.post(GENERATE, body, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert [p["field"] for p in error["details"]["problems"]] == ["negativePrompt"]
    assert "negativePrompt" in error["message"]
