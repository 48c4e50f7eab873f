"""The public catalogue API: models, one model, cost estimates."""

import pytest
from django.urls import reverse

from apps.accounts.models import Tier
from apps.catalog.registry import CATALOG
from apps.catalog.services import model_override_set

pytestmark = pytest.mark.django_db

MODELS_URL = "/api/v1/models"
ESTIMATE_URL = "/api/v1/estimate-cost"


def test_anyone_can_list_every_model_with_a_price(anon_api):
    response = anon_api.get(MODELS_URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(CATALOG) == len(body["results"])
    for model in body["results"]:
        assert model["pricing"]["summary"]
        assert model["pricing"]["from_credits"] >= 0
    by_id = {m["id"]: m for m in body["results"]}
    assert by_id["seedance-lite-t2v"]["available"] is False
    assert (
        by_id["seedance-lite-t2v"]["unavailable_reason"] == "fal is not configured on this server."
    )
    assert by_id["local/edit"]["available"] is True


def test_the_list_filters(anon_api, all_keys):
    def ids(**params):
        return {m["id"] for m in anon_api.get(MODELS_URL, params).json()["results"]}

    assert ids(method="upscale") == {
        "wavespeed-ai/flashvsr",
        "topaz-video-upscale",
        "grok-upscale",
        "local/enhance",
    }
    assert ids(provider="google") == {"veo3-fast", "veo3-quality", "veo3.1-fast", "veo3.1-quality"}
    assert ids(provider="openai", quality="premium") == {
        "sora-2-standard-t2v",
        "sora-2-standard-i2v",
        "sora-2-pro-storyboard",
    }
    assert ids(available="false") == set()
    model_override_set(model_id="pika-1.0", enabled=False)
    assert ids(available="false") == {"pika-1.0"}


def test_available_follows_the_provider_keys(anon_api, settings):
    settings.WAVESPEED_API_KEY = "ws-key"
    available = {m["id"] for m in anon_api.get(MODELS_URL, {"available": "true"}).json()["results"]}
    assert "alibaba/wan-2.5/video-extend" in available
    assert "seedance-lite-t2v" not in available
    assert all(CATALOG[i].provider in ("wavespeed", "local") for i in available)


def test_a_bad_filter_is_a_validation_error_with_the_allowed_values(anon_api):
    response = anon_api.get(MODELS_URL, {"method": "dance", "available": "perhaps"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    fields = {p["field"]: p for p in error["details"]["problems"]}
    assert "text-to-video" in fields["method"]["allowed"]
    assert fields["available"]["allowed"] == ["true", "false"]


def test_featured_models_come_first(anon_api):
    model_override_set(model_id="hailuo-mini", featured=True)
    first = anon_api.get(MODELS_URL).json()["results"][0]
    assert (first["id"], first["featured"]) == ("hailuo-mini", True)


@pytest.mark.parametrize(
    "model_id",
    ["wavespeed-ai/hunyuan-video-1.5/text-to-video", "kling-2.6-t2v", "local/edit"],
)
def test_one_model_by_an_id_with_slashes(anon_api, model_id):
    response = anon_api.get(f"{MODELS_URL}/{model_id}")
    assert response.status_code == 200
    assert response.json()["id"] == model_id
    assert reverse("api:model-detail", args=[model_id]) == f"{MODELS_URL}/{model_id}"


def test_one_model_by_alias_and_an_unknown_one(anon_api):
    assert anon_api.get(f"{MODELS_URL}/infinitalk").json()["id"] == "wavespeed-ai/infinitetalk"
    response = anon_api.get(f"{MODELS_URL}/nope/nothing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_a_model_describes_its_limits_and_pricing(anon_api):
    model = anon_api.get(f"{MODELS_URL}/bytedance/seedance-v1.5-pro/video-extend").json()
    assert model["durations"] == {"min": 4, "max": 12}
    assert model["resolutions"] == ["480p", "720p"]
    assert model["inputs"] == {"required": ["video"], "optional": []}
    assert set(model["options"]) == {"with_audio", "camera_fixed", "seed"}
    assert model["pricing"]["audio_multiplier"] == 2
    assert model["pricing"]["rates"] == [
        {"resolution": "480p", "usd": 0.012, "credits": 1.2},
        {"resolution": "720p", "usd": 0.026, "credits": 2.6},
    ]


def test_the_catalogue_works_with_a_key_and_refuses_a_bad_one(alice_api, anon_api):
    assert alice_api.get(MODELS_URL).status_code == 200
    anon_api.credentials(HTTP_AUTHORIZATION="Bearer rs_live_not-a-key")
    assert anon_api.get(MODELS_URL).status_code == 401


def test_an_estimate_prices_the_spec_example(anon_api):
    response = anon_api.post(
        ESTIMATE_URL,
        {"model": "alibaba/wan-2.5/video-extend", "resolution": "720p", "duration": 5},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["model"] == "alibaba/wan-2.5/video-extend"
    assert body["estimated_credits"] == 50
    assert body["estimated_cost_usd"] == 0.5
    assert body["confidence"] == "high"
    assert body["processing_time_estimate_s"] > 0
    assert body["breakdown"]["provider_cost_usd"] == 0.5
    assert body["available"] is False  # no WaveSpeed key here; still priced


def test_an_estimate_with_an_image_switches_and_says_so(anon_api):
    body = anon_api.post(
        ESTIMATE_URL,
        {
            "model": "seedance-lite-t2v",
            "image": "https://example.com/a.png",
            "duration": "5",
            "resolution": "480p",
        },
        format="json",
    ).json()
    assert body["model"] == "seedance-lite-i2v"
    assert body["switched_from"] == "seedance-lite-t2v"
    assert body["estimated_credits"] == 0
    assert body["breakdown"]["free_perk"] is True


def test_an_estimate_without_a_model_picks_one(anon_api):
    body = anon_api.post(
        ESTIMATE_URL,
        {"method": "text-to-video", "duration": 30, "resolution": "1080p", "quality": "standard"},
        format="json",
    ).json()
    assert body["model"] == "local/text-to-video"
    assert body["auto_selected"] is True
    assert body["estimated_credits"] == 0


def test_an_estimate_of_a_storyboard(anon_api):
    body = anon_api.post(
        ESTIMATE_URL,
        {
            "model": "sora-2-pro-storyboard",
            "storyboard": [{"prompt": "a", "duration": 5}, {"prompt": "b", "duration": 5}],
        },
        format="json",
    ).json()
    assert body["estimated_credits"] == 210


def test_a_bad_estimate_returns_every_problem(anon_api):
    response = anon_api.post(
        ESTIMATE_URL,
        {"model": "wavespeed-ai/wan-2.2-spicy/video-extend", "resolution": "1080p", "duration": 6},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert {p["code"] for p in error["details"]["problems"]} == {
        "INVALID_RESOLUTION",
        "VALIDATION_ERROR",
    }


def test_a_non_object_estimate_body_is_refused(anon_api):
    response = anon_api.post(ESTIMATE_URL, [1, 2], format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def _estimate(client):
    body = client.post(
        ESTIMATE_URL,
        {"model": "alibaba/wan-2.5/video-extend", "resolution": "720p", "duration": 5},
        format="json",
    ).json()
    return body["estimated_credits"], body["breakdown"]["discount_percent"]


@pytest.mark.isolation("api:estimate-cost")
def test_an_estimate_applies_the_callers_own_tier_discount_only(
    alice, bob_api, charlie_api, anon_api
):
    alice.workspace.tier = Tier.objects.get(name="pro")
    alice.workspace.save()
    assert _estimate(alice.api) == (45, 10)
    assert _estimate(bob_api) == (45, 10)  # same workspace
    assert _estimate(charlie_api) == (50, 0)  # another tenant's tier never leaks
    assert _estimate(anon_api) == (50, 0)


def test_a_signed_in_dashboard_user_gets_their_discount(alice, client):
    alice.workspace.tier = Tier.objects.get(name="enterprise")
    alice.workspace.save()
    client.force_login(alice.user)
    response = client.post(
        ESTIMATE_URL,
        {"model": "alibaba/wan-2.5/video-extend", "resolution": "720p", "duration": 5},
        content_type="application/json",
    )
    assert response.json()["estimated_credits"] == 40


def test_the_schema_documents_the_catalogue(anon_api):
    schema = anon_api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {"/api/v1/models", "/api/v1/models/{model_id}", "/api/v1/estimate-cost"} <= set(
        schema["paths"]
    )


def test_models_honour_limit_and_page_with_the_cursor(anon_api):
    first = anon_api.get(MODELS_URL, {"limit": 2}).json()
    assert len(first["results"]) == 2
    assert first["count"] == len(CATALOG)
    assert first["previous"] is None
    seen, url = [], MODELS_URL + "?limit=7&method=text-to-video"
    while url:
        page = anon_api.get(url).json()
        seen += [m["id"] for m in page["results"]]
        url = page["next"]
    every = [
        m["id"] for m in anon_api.get(MODELS_URL, {"method": "text-to-video"}).json()["results"]
    ]
    assert seen == every and len(every) > 7
    second = anon_api.get(first["next"]).json()
    assert [m["id"] for m in anon_api.get(second["previous"]).json()["results"]] == [
        m["id"] for m in first["results"]
    ]


def test_models_without_limit_are_all_of_them_on_one_page(anon_api):
    body = anon_api.get(MODELS_URL).json()
    assert len(body["results"]) == body["count"] == len(CATALOG)
    assert body["next"] is None and body["previous"] is None


@pytest.mark.parametrize(
    "params,field",
    [({"limit": "abc"}, "limit"), ({"limit": "0"}, "limit"), ({"cursor": "cD0x"}, "cursor")],
)
def test_a_bad_models_limit_or_cursor_is_a_400_naming_it(anon_api, params, field):
    response = anon_api.get(MODELS_URL, params)
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]["fields"]


def test_the_local_background_remover_is_unavailable_without_its_package(anon_api, monkeypatch):
    """On a server without mediapipe (CPython 3.13 has no wheel) the model says so in the
    catalogue, auto-selection skips it, and its estimate carries the reason
    (tests/jobs/test_remove_background_missing.py: a job naming it is refused)."""
    monkeypatch.setattr("apps.catalog.selectors.matte_installed", lambda: False)
    model = anon_api.get(f"{MODELS_URL}/local/remove-background").json()
    assert (model["available"], model["reason"]) == (False, "not_installed")
    assert "mediapipe" in model["unavailable_reason"]
    available = {m["id"] for m in anon_api.get(MODELS_URL, {"available": "true"}).json()["results"]}
    assert "local/remove-background" not in available
    estimate = anon_api.post(
        ESTIMATE_URL, {"model": "local/remove-background", "duration": 2}, format="json"
    ).json()
    assert any("mediapipe" in note for note in estimate["notes"]), estimate
