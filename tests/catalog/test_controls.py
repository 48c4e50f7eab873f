"""camera_motion, motion_strength and fps as each model declares them: what the models API
shows, what preflight refuses (naming the models that take it), what the estimate says,
and Seedance 1.5 Pro extend's default-on audio."""

import pytest

from apps.catalog.registry import CATALOG
from apps.catalog.registry.controls import (
    CAMERA_MOTIONS,
    CAMERA_PHRASES,
    CONTROL_NAMES,
    PROMPT_FIELD,
    Via,
)

pytestmark = pytest.mark.django_db

MODELS_URL = "/api/v1/models"
ESTIMATE_URL = "/api/v1/estimate-cost"
SEEDANCE_EXTEND = "bytedance/seedance-v1.5-pro/video-extend"


def models(api) -> dict[str, dict]:
    return {m["id"]: m for m in api.get(MODELS_URL).json()["results"]}


def estimate(api, body):
    return api.post(ESTIMATE_URL, body, format="json")


# --- the models API -------------------------------------------------------------------------


def test_every_model_says_how_it_takes_each_control(anon_api):
    listed = models(anon_api)
    assert len(listed) == len(CATALOG)
    for model in listed.values():
        assert set(model["controls"]) == set(CONTROL_NAMES)
        for control in model["controls"].values():
            if control is None:
                continue
            assert control["via"] in ("native", "prompt", "native+prompt")
            assert control["hint"] and control["ways"]
            assert control["values"] or control["range"]


def test_the_models_api_shows_native_fields_prompt_syntax_and_prompt_guidance(anon_api):
    listed = models(anon_api)
    seedance = listed["seedance-pro-t2v"]["controls"]["camera_motion"]
    assert (seedance["via"], seedance["field"]) == ("native+prompt", "camera_fixed")
    native, guided = seedance["ways"]
    assert native["values"] == ["static"] and native["sends"] == {"static": True}
    assert guided["via"] == "prompt" and "static" not in guided["values"]
    assert "prompt guidance" in seedance["hint"]

    hailuo = listed["hailuo-2.3-pro"]["controls"]["camera_motion"]
    assert (hailuo["via"], hailuo["field"]) == ("native", PROMPT_FIELD)
    assert hailuo["ways"][0]["sends"]["pan_left"] == "[Pan left]"

    veo = listed["veo3.1-quality"]["controls"]
    assert veo["camera_motion"]["via"] == "prompt" and veo["fps"] is None
    assert veo["camera_motion"]["values"] == list(CAMERA_MOTIONS)

    ltx = listed["lightricks/ltx-2-pro/text-to-video"]["controls"]["fps"]
    assert (ltx["via"], ltx["field"], ltx["values"]) == ("native", "fps", [25, 50])

    local = listed["local/image-to-video"]["controls"]
    assert local["fps"]["range"] == {"min": 24, "max": 60}
    assert local["motion_strength"]["range"] == {"min": 0.0, "max": 1.0}
    assert local["camera_motion"]["field"] == "camera_motion"

    assert listed["grok-imagine-t2v"]["controls"] == dict.fromkeys(CONTROL_NAMES)
    assert listed["wavespeed-ai/kandinsky5-pro/image-to-video"]["controls"]["camera_motion"] is None


def test_the_model_detail_shows_the_same_controls(anon_api):
    detail = anon_api.get(f"{MODELS_URL}/midjourney-i2v").json()
    motion = detail["controls"]["motion_strength"]
    assert (motion["via"], motion["field"]) == ("native", PROMPT_FIELD)
    assert motion["range"] == {"min": 0.0, "max": 1.0}
    assert detail["controls"] == models(anon_api)["midjourney-i2v"]["controls"]


# --- refusals --------------------------------------------------------------------------------


def test_a_control_a_model_does_not_take_is_refused_naming_the_models_that_do(anon_api):
    response = estimate(
        anon_api, {"model": "grok-imagine-t2v", "camera_motion": "pan", "motion_strength": 0.4}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    supported = error["details"]["supported_models"]
    assert set(supported) == {"camera_motion", "motion_strength"}
    expected = sorted(
        m.id
        for m in CATALOG.values()
        if "text-to-video" in m.methods and m.controls.takes("camera_motion", "pan")
    )
    assert sorted(supported["camera_motion"]) == expected
    assert "veo3.1-fast" in expected and "grok-imagine-t2v" not in expected
    # No text-to-video model takes motion_strength: the list is empty, and it says so.
    assert supported["motion_strength"] == []
    problems = {p["field"]: p for p in error["details"]["problems"]}
    assert problems["camera_motion"]["supported_models"] == supported["camera_motion"]
    assert "No model does" in problems["motion_strength"]["message"]


def test_fps_on_a_model_without_an_fps_control_is_refused(anon_api):
    response = estimate(anon_api, {"model": "veo3.1-fast", "fps": 24})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["details"]["problems"][0]["field"] == "fps"
    assert "local/text-to-video" in error["details"]["supported_models"]["fps"]


def test_a_value_the_model_does_not_take_lists_the_models_that_take_that_value(anon_api):
    error = estimate(anon_api, {"model": "lightricks/ltx-2-fast/text-to-video", "fps": 30}).json()[
        "error"
    ]
    problem = error["details"]["problems"][0]
    assert problem["allowed"] == [25, 50] and "30" in problem["message"]
    # 30 fps: the local animatic takes it, LTX-2 (25 or 50) does not.
    assert error["details"]["supported_models"]["fps"] == ["local/text-to-video"]

    ok = estimate(anon_api, {"model": "lightricks/ltx-2-fast/text-to-video", "fps": 25})
    assert ok.status_code == 200 and ok.json()["parameters"]["fps"] == 25


def test_seedance_takes_static_natively_and_other_moves_as_prompt_guidance(anon_api):
    static = estimate(anon_api, {"model": "seedance-pro-t2v", "camera_motion": "static"}).json()
    assert static["parameters"]["camera_motion"] == "static"
    assert not any("prompt guidance" in n for n in static["notes"])
    pan = estimate(anon_api, {"model": "seedance-pro-t2v", "camera_motion": "PAN_LEFT"}).json()
    assert pan["parameters"]["camera_motion"] == "pan_left"
    assert any(CAMERA_PHRASES["pan_left"] in n for n in pan["notes"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"camera_motion": "orbit"}, "camera_motion"),
        ({"camera_motion": ["pan"]}, "camera_motion"),
        ({"camera_motion": {"pan": 1}}, "camera_motion"),
        ({"motion_strength": "strong"}, "motion_strength"),
        ({"motion_strength": 1.5}, "motion_strength"),
        ({"motion_strength": True}, "motion_strength"),
        ({"fps": 12.5}, "fps"),
        ({"fps": -1}, "fps"),
        ({"fps": [30]}, "fps"),
        ({"fps": 10**30}, "fps"),
    ],
)
def test_bad_control_values_are_a_400_naming_the_field(anon_api, body, field):
    response = estimate(anon_api, {"model": "local/image-to-video", **body})
    assert response.status_code == 400, response.content
    problems = response.json()["error"]["details"]["problems"]
    assert [p["field"] for p in problems] == [field]


def test_a_camera_motion_request_auto_selects_a_model_that_takes_it(anon_api, all_keys):
    body = {"method": "image-to-video", "quality": "standard", "camera_motion": "zoom_in"}
    picked = estimate(anon_api, {**body, "image": "x"}).json()
    assert CATALOG[picked["model"]].controls.takes("camera_motion", "zoom_in")


# --- the registry: data, not if-chains -----------------------------------------------------


def test_every_prompt_way_says_where_the_model_documents_it():
    for spec in CATALOG.values():
        for name in CONTROL_NAMES:
            for way in spec.controls.ways(name):
                assert way.doc, (spec.id, name)
                if way.via == Via.PROMPT:
                    assert way.field == PROMPT_FIELD


def test_apply_turns_values_into_fields_and_prompt_text():
    seedance = CATALOG["seedance-lite-t2v"].controls
    assert seedance.apply({"camera_motion": "static"}, "A fox").fields == {"camera_fixed": True}
    applied = seedance.apply({"camera_motion": "zoom"}, "A fox ")
    assert applied.prompt == f"A fox {CAMERA_PHRASES['zoom_in']}" and applied.fields == {}
    hailuo = CATALOG["hailuo-2.0-pro"].controls
    assert hailuo.apply({"camera_motion": "tilt_down"}, "").prompt == "[Tilt down]"
    local = CATALOG["local/image-to-video"].controls
    assert local.apply({"camera_motion": "pan", "fps": 30}, "x").fields == {
        "camera_motion": "pan",
        "fps": 30,
    }
    # Nothing asked, nothing changed.
    assert CATALOG["veo3-fast"].controls.apply({"fps": None}, "A fox").prompt == "A fox"


# --- Seedance 1.5 Pro extend: audio on by default, x2 -----------------------------------------


def test_seedance_extend_prices_audio_when_omitted_and_less_without_it(anon_api):
    body = {"model": SEEDANCE_EXTEND, "duration": 5, "resolution": "720p"}
    default = estimate(anon_api, body).json()
    silent = estimate(anon_api, {**body, "generate_audio": False}).json()
    with_audio = estimate(anon_api, {**body, "with_audio": True}).json()
    # $0.026/s x 5 s = $0.13 = 13 credits; audio doubles it.
    assert silent["estimated_credits"] == 13
    assert default["estimated_credits"] == with_audio["estimated_credits"] == 26
    assert default["breakdown"]["with_audio"] is True
    assert default["breakdown"]["audio_multiplier"] == 2
    assert silent["breakdown"]["with_audio"] is False
    assert any("generate_audio: false" in n for n in default["notes"])
    assert not any("by default" in n for n in silent["notes"])


def test_the_models_api_says_seedance_extend_audio_defaults_on_at_double_price(anon_api):
    model = anon_api.get(f"{MODELS_URL}/{SEEDANCE_EXTEND}").json()
    assert model["audio"] == {
        "generated": True,
        "optional": True,
        "default": True,
        "price_multiplier": 2.0,
    }
    assert model["default_with_audio"] is True
    veo = anon_api.get(f"{MODELS_URL}/veo3-fast").json()["audio"]
    assert (veo["generated"], veo["optional"]) == (True, False)


def test_the_models_page_shows_each_models_controls_and_how(client):
    html = client.get("/models/").content.decode()
    veo = html[html.index('data-model-id="veo3.1-fast"') :]
    veo = veo[: veo.index("</article>")]
    assert 'data-control="camera_motion" data-via="prompt"' in veo
    assert "prompt guidance" in veo and 'data-control="fps"' not in veo
    hailuo = html[html.index('data-model-id="hailuo-2.0-pro"') :]
    assert "[Static shot]" in hailuo[: hailuo.index("</article>")]
    seedance = html[html.index(f'data-model-id="{SEEDANCE_EXTEND}"') :]
    seedance = seedance[: seedance.index("</article>")]
    assert 'data-audio-default="on"' in seedance and "generate_audio: false" in seedance
    grok = html[html.index('data-model-id="grok-imagine-t2v"') :]
    assert "data-control=" not in grok[: grok.index("</article>")]
