"""Veo3 image-to-video (spec 002) at /compat/veo3: translation onto the jobs services,
errors in the spec's {"error": {"type", "message", "retryable"}} shape."""

import json

import pytest

from apps.billing.models import CreditAccount, CreditHold
from apps.billing.services import credits_grant
from apps.jobs.models import Job
from apps.jobs.services import job_fail
from tests.compat.veo3.conftest import BASE, png_b64

# Stored files in the test's own directory (the live tests share the default one).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_storage")]


def generate(api, body, **headers):
    return api.post(f"{BASE}/videos/generate", body, format="json", **headers)


def veo3_error(response, status: int, type_: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["type"] == type_, error
    assert isinstance(error["retryable"], bool) and error["message"]
    return error


def balance(workspace) -> tuple[int, int]:
    account = CreditAccount.objects.get(workspace=workspace)
    return account.balance, account.held


@pytest.mark.isolation("veo3-generate")
def test_a_submit_answers_the_spec_shape_and_the_job_is_the_callers_own(alice, charlie):
    response = generate(
        charlie.api,
        {"image": png_b64(), "prompt": "Waves", "duration": 1, "resolution": "854x480"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"task_id", "status", "message"}
    assert body["status"] == "pending"
    assert f"/compat/veo3/api/v1/tasks/{body['task_id']}" in body["message"]
    job = Job.objects.get(public_id=body["task_id"])
    assert job.workspace == charlie.workspace
    assert (job.method, job.model, job.params["fps"]) == ("image-to-video", job.model, 30)
    assert job.params["resolution"] == "480p" and job.params["aspect_ratio"] == "16:9"
    assert alice.api.get(f"{BASE}/tasks/{body['task_id']}").status_code == 404


def test_fields_map_onto_the_job(alice):
    response = generate(
        alice.api,
        {
            "image": "data:image/png;base64," + png_b64(),
            "prompt": "Gentle camera pan across the scene",
            "duration": 2,
            "fps": 24,
            "resolution": "720x1280",
            "motion_strength": 0.3,
            "camera_motion": "tilt",
            "optimize_prompt": False,
        },
    )
    assert response.status_code == 200, response.content
    job = Job.objects.get(public_id=response.json()["task_id"])
    p = job.params
    assert (p["duration"], p["fps"], p["resolution"], p["aspect_ratio"]) == (2, 24, "720p", "9:16")
    assert (p["camera_motion"], p["motion_strength"]) == ("tilt", 0.3)
    assert job.prompt == "Gentle camera pan across the scene"
    assert set(job.inputs) == {"image"}


@pytest.mark.isolation("veo3-task")
def test_the_task_reads_as_the_spec_polls_it_and_is_404_to_another_tenant(alice, charlie):
    task_id = generate(alice.api, {"image": png_b64(), "duration": 1}).json()["task_id"]
    task = alice.api.get(f"{BASE}/tasks/{task_id}").json()
    assert task["status"] == "pending" and task["progress"] == 0
    assert task["result"] is None and task["error"] is None
    error = veo3_error(charlie.api.get(f"{BASE}/tasks/{task_id}"), 404, "NotFoundError")
    assert error["code"] == "NOT_FOUND"
    rid = {"HTTP_X_REQUEST_ID": "same-request"}  # echoed in the body
    missing = alice.api.get(f"{BASE}/tasks/job_doesnotexist", **rid)
    assert missing.json() == charlie.api.get(f"{BASE}/tasks/{task_id}", **rid).json()


@pytest.mark.isolation("veo3-video")
def test_the_deprecated_video_status_is_404_to_another_tenant(alice, charlie):
    task_id = generate(alice.api, {"image": png_b64(), "duration": 1}).json()["task_id"]
    response = alice.api.get(f"{BASE}/videos/{task_id}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "task_id",
        "status",
        "progress",
        "video_url",
        "error",
        "created_at",
        "updated_at",
    }
    assert (body["status"], body["video_url"]) == ("pending", None)
    assert response.headers["Deprecation"] == "true"
    veo3_error(charlie.api.get(f"{BASE}/videos/{task_id}"), 404, "NotFoundError")


def test_a_failed_task_carries_the_spec_error_with_retryable(alice):
    task_id = generate(alice.api, {"image": png_b64(), "duration": 1}).json()["task_id"]
    job = Job.objects.get(public_id=task_id)
    job_fail(job_id=job.pk, code="MODEL_UNAVAILABLE", message="Busy.", retryable=True)
    task = alice.api.get(f"{BASE}/tasks/{task_id}").json()
    assert task["status"] == "failed"
    assert task["error"] == {
        "type": "ServiceError",
        "message": "Busy.",
        "retryable": True,
        "code": "MODEL_UNAVAILABLE",
    }
    assert alice.api.get(f"{BASE}/videos/{task_id}").json()["error"]["type"] == "ServiceError"


def test_insufficient_credits_is_the_spec_shape_and_nothing_is_held(alice, priced):
    response = generate(alice.api, {"image": png_b64(), "duration": 1})
    error = veo3_error(response, 402, "InsufficientCreditsError")
    assert error["code"] == "INSUFFICIENT_CREDITS" and error["retryable"] is False
    assert not Job.objects.exists() and not CreditHold.objects.exists()


def test_a_funded_submit_holds_the_price(alice, priced):
    credits_grant(workspace=alice.workspace, credits=20, idempotency_key="veo3-fund")
    assert generate(alice.api, {"image": png_b64(), "duration": 1}).status_code == 200
    assert balance(alice.workspace) == (20, priced)


def test_a_blocked_prompt_is_a_content_policy_error_the_spec_client_recognises(alice, priced):
    credits_grant(workspace=alice.workspace, credits=20, idempotency_key="veo3-fund")
    response = generate(alice.api, {"image": png_b64(), "prompt": "ch1ld  p.o.r.n"})
    error = veo3_error(response, 400, "VideoGenerationError")
    # The spec's error-handling example: `'content_policy' in error['message'].lower()`.
    assert "content_policy" in error["message"].lower()
    assert error["retryable"] is False
    assert not Job.objects.exists()
    assert balance(alice.workspace) == (20, 0)


def test_the_idempotency_key_makes_a_retry_the_same_task(alice, priced):
    credits_grant(workspace=alice.workspace, credits=20, idempotency_key="veo3-fund")
    body = {"image": png_b64(), "duration": 1}
    first = generate(alice.api, body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = generate(alice.api, body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.json()["task_id"] == again.json()["task_id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Job.objects.count() == 1 and CreditHold.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field", "needle"),
    [
        ({"image": "AAA", "fps": 30, "colour": "red"}, None, "colour"),
        ({"prompt": "no image"}, "image", "required"),
        ({"image": 12}, "image", "base64"),
        ({"image": "not base64 !!"}, "image", "base64"),
        ({"image": "=" * 8}, "image", "image"),
        ({"image": "ftp://example.com/a.jpg"}, "image", "http"),
        ({"image": "PNG", "duration": "5"}, "duration", "whole number"),
        ({"image": "PNG", "duration": True}, "duration", "whole number"),
        ({"image": "PNG", "duration": 11}, "duration", "1-10"),
        ({"image": "PNG", "fps": 5.5}, "fps", "whole number"),
        ({"image": "PNG", "resolution": "4096x2160"}, "resolution", "1920x1080"),
        ({"image": "PNG", "resolution": ["1920x1080"]}, "resolution", "1280x720"),
        ({"image": "PNG", "motion_strength": "high"}, "motion_strength", "0.0 to 1.0"),
        ({"image": "PNG", "optimize_prompt": True}, "optimize_prompt", "not supported"),
        ({"image": "PNG", "optimize_prompt": "yes"}, "optimize_prompt", "true or false"),
        ({"image": "PNG", "prompt": {"a": 1}}, "prompt", "string"),
        ({"image": "PNG", "model": 3}, "model", "string"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(alice, body, field, needle):
    if body.get("image") == "PNG":
        body = {**body, "image": png_b64()}
    error = veo3_error(generate(alice.api, body), 400, "ValidationError")
    assert needle in error["message"], error
    if field:
        assert error["details"]["field"] == field
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"camera_motion": "spin"}, "pan"),
        ({"motion_strength": 2}, "motion_strength"),
        ({"fps": 120}, "fps"),
        ({"model": "no-such-model"}, "no-such-model"),
    ],
)
def test_values_the_catalog_refuses_name_what_is_allowed(alice, body, needle):
    error = veo3_error(generate(alice.api, {"image": png_b64(), **body}), 400, "ValidationError")
    assert needle in json.dumps(error)


def test_an_image_that_is_not_an_image_is_refused(alice):
    error = veo3_error(generate(alice.api, {"image": "aGVsbG8gd29ybGQ="}), 400, "ValidationError")
    assert error["code"] in ("UNSUPPORTED_FORMAT", "VALIDATION_ERROR")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/image.png",
        "http://127.0.0.1:8000/image.png",
        "http://10.0.0.8/image.png",
        "http://[::1]/image.png",
        "http://localhost/image.png",  # a name that resolves to loopback: refused at fetch
    ],
)
def test_ssrf_urls_are_refused_before_anything_is_fetched(alice, url):
    response = generate(alice.api, {"image": url})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["retryable"] is False
    assert not Job.objects.exists()


def test_a_body_over_the_limit_is_a_413_in_the_spec_shape(alice, settings):
    big = "A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = alice.api.post(
        f"{BASE}/videos/generate", json.dumps({"image": big}), content_type="application/json"
    )
    veo3_error(response, 413, "ValidationError")


def test_a_deeply_nested_body_is_a_400(alice):
    deep = "[" * 5000 + "]" * 5000
    response = alice.api.post(
        f"{BASE}/videos/generate",
        '{"image": "x", "prompt": ' + deep + "}",
        content_type="application/json",
    )
    veo3_error(response, 400, "ValidationError")


@pytest.mark.parametrize("body", ["[1, 2]", '"image"', "null", "{bad json"])
def test_a_body_that_is_not_an_object_is_a_400(alice, body):
    response = alice.api.post(f"{BASE}/videos/generate", body, content_type="application/json")
    veo3_error(response, 400, "ValidationError")


def test_missing_or_wrong_keys_are_an_authentication_error(anon_api):
    veo3_error(generate(anon_api, {"image": png_b64()}), 401, "AuthenticationError")
    anon_api.credentials(HTTP_AUTHORIZATION="Bearer rs_nope")
    veo3_error(anon_api.get(f"{BASE}/tasks/job_x"), 401, "AuthenticationError")


# --- base64 images go through the shared jobs input path (apps/jobs/inputs.py) ------------


def test_a_base64_image_over_the_tiers_file_limit_is_refused_before_decoding(alice):
    from apps.accounts.models import Tier

    image = png_b64()
    Tier.objects.filter(pk=alice.workspace.tier_id).update(max_upload_bytes=len(image) // 4)
    error = veo3_error(generate(alice.api, {"image": image}), 413, "ValidationError")
    assert error["code"] == "FILE_TOO_LARGE"
    assert error["details"]["field"] == "image"
    assert error["details"]["limit_bytes"] == len(image) // 4
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("prefix", "needle"),
    [
        ("data:text/plain;base64,", "text/plain"),
        ("data:video/mp4;base64,", "image"),  # says video, holds a PNG
    ],
)
def test_a_data_url_is_checked_like_every_other_data_input(alice, prefix, needle):
    error = veo3_error(generate(alice.api, {"image": prefix + png_b64()}), 400, "ValidationError")
    assert error["code"] == "UNSUPPORTED_FORMAT"
    assert error["details"]["field"] == "image"
    assert needle in error["message"] and "source_data" not in error["message"]
    assert not Job.objects.exists()


def test_url_safe_base64_is_accepted_as_everywhere_else(alice):
    import base64
    import io

    import numpy as np
    from PIL import Image

    noise = np.random.default_rng(3).integers(0, 255, (36, 64, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(noise).save(out, "PNG")
    standard = base64.b64encode(out.getvalue()).decode()
    urlsafe = base64.urlsafe_b64encode(out.getvalue()).decode().rstrip("=")
    assert urlsafe != standard.rstrip("=")  # the URL-safe alphabet is really used
    response = generate(alice.api, {"image": urlsafe, "duration": 1, "resolution": "854x480"})
    assert response.status_code == 200, response.content
    job = Job.objects.get(public_id=response.json()["task_id"])
    assert job.inputs.get("image", "").startswith("ast_"), job.inputs


@pytest.mark.parametrize(
    ("body", "field", "takes_it"),
    [
        ({"model": "veo_3_1-fast", "fps": 24}, "fps", "local/image-to-video"),
        ({"model": "midjourney-i2v", "camera_motion": "pan"}, "camera_motion", "hailuo-2.0-pro"),
    ],
)
def test_a_control_the_model_does_not_take_lists_the_models_that_do(alice, body, field, takes_it):
    error = veo3_error(generate(alice.api, {"image": png_b64(), **body}), 400, "ValidationError")
    assert field in error["message"]
    supported = error["details"]["supported_models"][field]
    assert takes_it in supported and body["model"] not in supported
    assert not Job.objects.exists()


def test_without_fps_no_frame_rate_is_forced_on_a_model_without_one(alice):
    body = {"image": png_b64(), "prompt": "Waves", "model": "veo_3_1-fast"}
    error = generate(alice.api, body).json()["error"]
    # Veo is not configured here: that is the only problem; the spec's default fps (30),
    # which Veo has no control for, is not sent on.
    assert [p["field"] for p in error["details"]["problems"]] == ["model"]
