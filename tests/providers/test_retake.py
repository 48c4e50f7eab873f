"""LTX-2 Retake through its documented routes: POST /api/v1/process `retake` (and `edit`
with an AI edit model) and /generate {"method": "edit"}, checked against the model's data,
priced as the catalogue says, run on the WaveSpeed sandbox end to end."""

from unittest.mock import ANY

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.billing.models import CreditAccount, CreditHold
from apps.billing.services import credits_grant
from apps.gallery.models import Asset
from apps.jobs.models import Job, JobStatus
from tests.gallery.mediafiles import make_mp4

pytestmark = pytest.mark.django_db(transaction=True)

RETAKE = "lightricks/ltx-2-retake"


@pytest.fixture(autouse=True)
def job_storage(media_storage, sandbox):
    """This test's own storage; WaveSpeed on the sandbox (so the model is available)."""
    return media_storage


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """An 8 s source: room for a stretch of 2-6 s anywhere in it."""
    return make_mp4(tmp_path_factory.mktemp("retake") / "take.mp4", seconds=8.0)


def fund(workspace, credits=10_000):
    credits_grant(workspace=workspace, credits=credits, idempotency_key=f"fund:{workspace.pk}")


def upload(api, path) -> str:
    response = api.post(
        "/api/v1/uploads", {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def process(api, **body):
    return api.post("/api/v1/process", body, format="json")


def error_of(response, status=400):
    assert response.status_code == status, response.json()
    return response.json()["error"]


def fields_named(error) -> set[str]:
    found = {p["field"] for p in error.get("details", {}).get("problems", [])}
    if error.get("details", {}).get("field"):
        found.add(error["details"]["field"])
    return found


def submitted_bodies(sandbox, since):
    return [
        r.body
        for r in list(sandbox.received)[since:]
        if r.provider == "wavespeed" and r.method == "POST" and RETAKE in r.path
    ]


# --- end to end on the sandbox ------------------------------------------------------------


def test_a_retake_through_process_runs_on_the_sandbox_and_charges_the_catalogue_price(
    alice, sandbox, clip
):
    fund(alice.workspace)
    source = upload(alice.api, clip)
    estimate = alice.api.post(
        "/api/v1/estimate-cost",
        {"method": "edit", "model": RETAKE, "duration": 4, "resolution": "720p"},
        format="json",
    ).json()
    since = len(sandbox.received)
    response = process(
        alice.api,
        operation="retake",
        prompt="She turns and smiles at the camera",
        source_asset=source,
        settings={
            "start_time": 1.5,
            "duration": 4,
            "resolution": "720p",
            "retake_mode": "replace_video",
            "seed": 7,
        },
    )
    assert response.status_code == 202, response.json()
    job = Job.objects.get(public_id=response.json()["id"])
    assert (job.method, job.model, job.provider) == ("edit", RETAKE, "wavespeed")
    assert job.status == JobStatus.COMPLETED, (job.error_code, job.error_message)
    # The provider got the documented body: the video, the prompt and the stretch.
    (sent,) = submitted_bodies(sandbox, since)
    assert sent["prompt"] == "She turns and smiles at the camera"
    assert (sent["start_time"], sent["duration"], sent["mode"], sent["seed"]) == (
        1.5,
        4,
        "replace_video",
        7,
    )
    assert sent["video"].startswith("http") and "trim_start" not in sent
    # Priced per second of the stretch at 720p, as the catalogue says; captured once.
    assert job.credits_estimated == estimate["estimated_credits"] > 0
    assert job.credits_charged == job.credits_held == estimate["estimated_credits"]
    assert job.hold.state == CreditHold.State.CAPTURED
    account = CreditAccount.objects.get(workspace=alice.workspace)
    assert (account.balance, account.held) == (10_000 - job.credits_charged, 0)
    assert job.result_asset.size_bytes == len(sandbox.video_bytes())
    body = alice.api.get(f"/api/v1/tasks/{job.public_id}").json()
    assert body["status"] == "completed" and body["result"]["asset"].startswith("ast_")


def test_edit_with_the_ai_edit_model_is_the_same_retake(alice, sandbox, clip):
    fund(alice.workspace)
    since = len(sandbox.received)
    response = process(
        alice.api,
        operation="edit",
        model=RETAKE,
        prompt="Rain starts to fall",
        source_asset=upload(alice.api, clip),
        settings={"duration": 3},
    )
    assert response.status_code == 202, response.json()
    job = Job.objects.get(public_id=response.json()["id"])
    assert job.status == JobStatus.COMPLETED, (job.error_code, job.error_message)
    (sent,) = submitted_bodies(sandbox, since)
    # The model's defaults: the stretch starts at 0; the provider picks the mode.
    assert (sent["start_time"], sent["duration"], sent["resolution"]) == (0, 3, "1080p")
    assert "mode" not in sent


def test_a_retake_without_a_model_picks_the_ai_edit_model(alice, sandbox, clip):
    fund(alice.workspace)
    response = process(
        alice.api, operation="retake", prompt="A dog runs in", source_asset=upload(alice.api, clip)
    )
    assert response.status_code == 202, response.json()
    assert response.json()["model"] == RETAKE
    assert response.json()["params"]["start_time"] == 0


def test_generate_method_edit_with_the_retake_model_still_works(alice, sandbox, clip):
    fund(alice.workspace)
    since = len(sandbox.received)
    response = alice.api.post(
        "/api/v1/generate",
        {
            "method": "edit",
            "model": RETAKE,
            "prompt": "The light turns golden",
            "source_asset": upload(alice.api, clip),
            "start_time": 2,
            "duration": 5,
            "retake_mode": "replace_audio",
        },
        format="json",
    )
    assert response.status_code == 202, response.json()
    job = Job.objects.get(public_id=response.json()["id"])
    assert job.status == JobStatus.COMPLETED, (job.error_code, job.error_message)
    (sent,) = submitted_bodies(sandbox, since)
    assert (sent["start_time"], sent["duration"], sent["mode"]) == (2, 5, "replace_audio")


def test_a_failed_retake_releases_its_hold(alice, sandbox, clip):
    fund(alice.workspace)
    response = process(
        alice.api,
        operation="retake",
        prompt="A storm [sandbox:fail]",
        source_asset=upload(alice.api, clip),
    )
    job = Job.objects.get(public_id=response.json()["id"])
    assert job.status == JobStatus.FAILED and job.credits_charged == 0
    assert job.hold.state == CreditHold.State.RELEASED


# --- preflight: refused before anything is held ----------------------------------------------


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"start_time": "soon"}, "start_time"),
        ({"start_time": -1}, "start_time"),
        ({"start_time": True}, "start_time"),
        ({"duration": 1}, "duration"),
        ({"duration": 17}, "duration"),
        ({"duration": "four"}, "duration"),
        ({"duration": 2.5}, "duration"),
        ({"resolution": "4k"}, "resolution"),
        ({"retake_mode": "replace_everything"}, "retake_mode"),
        ({"seed": -5}, "seed"),
        ({"seed": [1]}, "seed"),
        # The stretch must lie inside the 8 s source.
        ({"start_time": 5, "duration": 5}, "start_time"),
        ({"duration": 10}, "duration"),
    ],
)
def test_bad_retake_settings_are_a_400_naming_the_field(alice, clip, given, field):
    fund(alice.workspace)
    error = error_of(
        process(
            alice.api,
            operation="retake",
            prompt="x",
            source_asset=upload(alice.api, clip),
            settings=given,
        )
    )
    assert field in fields_named(error), error
    assert not Job.objects.exists()
    assert CreditAccount.objects.get(workspace=alice.workspace).held == 0


def test_a_retake_without_a_prompt_is_a_400(alice, clip):
    for prompt in (None, "", "   "):
        body = {"operation": "retake", "source_asset": upload(alice.api, clip)}
        if prompt is not None:
            body["prompt"] = prompt
        error = error_of(process(alice.api, **body))
        assert error["code"] == "INVALID_PROMPT" and "prompt" in fields_named(error)
    assert not Job.objects.exists()


@pytest.mark.parametrize("model", ["local/edit", "local/text-to-video", "no/such-model", 5])
def test_retake_with_another_model_is_a_400_listing_the_models_that_do_it(alice, clip, model):
    error = error_of(
        process(
            alice.api,
            operation="retake",
            model=model,
            prompt="x",
            source_asset=upload(alice.api, clip),
        )
    )
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"] == {"field": "model", "allowed": [RETAKE], "request_id": ANY}
    assert RETAKE in error["message"]


def test_unknown_retake_settings_are_refused_listing_the_models_own(alice, clip):
    error = error_of(
        process(
            alice.api,
            operation="retake",
            prompt="x",
            source_asset=upload(alice.api, clip),
            settings={"trim_start": 1, "speed": 2},
        )
    )
    assert error["details"]["unknown"] == ["speed", "trim_start"]
    assert error["details"]["allowed"] == [
        "duration",
        "resolution",
        "retake_mode",
        "seed",
        "start_time",
    ]


def test_a_setting_sent_beside_settings_is_refused_not_dropped(alice, clip):
    error = error_of(
        process(
            alice.api,
            operation="retake",
            prompt="x",
            source_asset=upload(alice.api, clip),
            start_time=2,
            colour="red",
        )
    )
    assert error["details"]["unknown"] == ["colour", "start_time"]
    assert "settings" in error["message"] and "settings" in error["details"]["allowed"]
    assert not Job.objects.exists()


def test_a_prompt_for_a_model_that_takes_none_is_a_400(alice, clip):
    error = error_of(
        process(
            alice.api,
            operation="edit",
            prompt="make it nicer",
            source_asset=upload(alice.api, clip),
            settings={"speed": 2},
        )
    )
    assert error["details"]["field"] == "prompt" and RETAKE in error["message"]


@pytest.mark.parametrize("prompt", [5, {"a": 1}, ["x"], "x" * 2001])
def test_a_prompt_that_is_not_text_or_too_long_is_a_400(alice, clip, prompt):
    error = error_of(
        process(alice.api, operation="retake", prompt=prompt, source_asset=upload(alice.api, clip))
    )
    assert "prompt" in fields_named(error)


def test_a_retake_needs_a_source_video(alice, tmp_path):
    from tests.gallery.mediafiles import make_png

    error = error_of(process(alice.api, operation="retake", prompt="x"))
    assert "video" in fields_named(error), error
    image = upload(alice.api, make_png(tmp_path / "still.png", width=640, height=360))
    error = error_of(process(alice.api, operation="retake", prompt="x", source_asset=image))
    assert "video" in fields_named(error) or "image" in fields_named(error), error


@pytest.mark.parametrize(
    "given",
    ["start_time=1", [1, 2], 3, {f"k{i}": i for i in range(2000)}],
    ids=["text", "list", "number", "huge-object"],
)
def test_retake_settings_that_are_not_a_small_object_are_refused_by_name(alice, clip, given):
    error = error_of(
        process(
            alice.api,
            operation="retake",
            prompt="x",
            source_asset=upload(alice.api, clip),
            settings=given,
        )
    )
    assert error["details"]["field"] == "settings"


def test_a_retake_without_enough_credits_is_402_and_holds_nothing(alice, clip):
    fund(alice.workspace, credits=1)
    error = error_of(
        process(alice.api, operation="retake", prompt="x", source_asset=upload(alice.api, clip)),
        402,
    )
    assert error["code"] == "INSUFFICIENT_CREDITS"
    assert not Job.objects.exists()


def test_a_retake_of_another_workspaces_video_is_404(alice, charlie, clip):
    fund(charlie.workspace)
    error = error_of(
        process(charlie.api, operation="retake", prompt="x", source_asset=upload(alice.api, clip)),
        404,
    )
    assert error["code"] == "NOT_FOUND"
    assert not Job.objects.exists()


def test_a_retake_without_credentials_is_401(anon_api, clip):
    response = anon_api.post(
        "/api/v1/process", {"operation": "retake", "prompt": "x"}, format="json"
    )
    assert error_of(response, 401)["code"] == "AUTHENTICATION_FAILED"


def test_the_estimate_prices_the_stretch_per_second(alice):
    def credits(duration, resolution):
        response = alice.api.post(
            "/api/v1/estimate-cost",
            {"method": "edit", "model": RETAKE, "duration": duration, "resolution": resolution},
            format="json",
        )
        assert response.status_code == 200, response.json()
        return response.json()["estimated_credits"]

    # $0.05/s at 720p, $0.10/s at 1080p (docs/models.md).
    assert credits(8, "720p") == 2 * credits(4, "720p")
    assert credits(4, "1080p") == 2 * credits(4, "720p")
    assert not Asset.objects.exists()
