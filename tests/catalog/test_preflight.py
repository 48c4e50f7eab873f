"""Preflight: every problem at once, with its code and the allowed values; auto-selection
and the text-to-video -> image-to-video switch."""

import pytest

from apps.catalog.preflight import job_preflight, model_auto_select
from apps.catalog.services import model_override_set
from apps.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
PNG_1024 = {"format": "png", "width": 1024, "height": 1024}
MP4_4S = {"format": "mp4", "width": 1280, "height": 720, "duration_s": 4}


def problems_of(**kwargs):
    with pytest.raises(ApplicationError) as caught:
        job_preflight(**kwargs)
    error = caught.value
    assert error.status == 400
    return error, {p["field"]: p for p in error.details["problems"]}


def test_an_unconfigured_provider_gives_model_unavailable_with_alternatives():
    error, problems = problems_of(
        fields={"model": "alibaba/wan-2.5/video-extend", "prompt": "go on"},
        inputs={"video": MP4_4S},
    )
    assert error.code == "MODEL_UNAVAILABLE"
    assert problems["model"]["allowed"] == ["local/extend-video"]


def test_a_configured_provider_makes_the_model_available(all_keys):
    pre = job_preflight(
        fields={"model": "alibaba/wan-2.5/video-extend", "prompt": "go on", "duration": 5},
        inputs={"video": MP4_4S},
    )
    assert pre.model_id == "alibaba/wan-2.5/video-extend"
    assert (pre.resolution, pre.duration_s) == ("720p", 5)


def test_a_disabled_model_is_unavailable_even_with_a_key(all_keys):
    model_override_set(model_id="seedance-lite-t2v", enabled=False)
    error, problems = problems_of(fields={"model": "seedance-lite-t2v", "prompt": "x"})
    assert error.code == "MODEL_UNAVAILABLE"
    assert "disabled" in problems["model"]["message"]


def test_wan_22_spicy_takes_only_480p_or_720p_and_5_or_8_seconds(all_keys):
    base = {"model": "wavespeed-ai/wan-2.2-spicy/video-extend", "prompt": "more"}
    error, problems = problems_of(fields={**base, "resolution": "1080p"}, inputs={"video": True})
    assert error.code == "INVALID_RESOLUTION"
    assert problems["resolution"]["allowed"] == ["480p", "720p"]
    error, problems = problems_of(fields={**base, "duration": 6}, inputs={"video": True})
    assert error.code == "VALIDATION_ERROR"
    assert problems["duration"]["allowed"] == {"choices": [5, 8]}
    for seconds in (5, 8):
        assert job_preflight(fields={**base, "duration": seconds}, inputs={"video": True})


def test_all_problems_come_back_at_once_and_mixed_codes_are_a_validation_error(all_keys):
    error, problems = problems_of(
        fields={
            "model": "wavespeed-ai/wan-2.2-spicy/video-extend",
            "resolution": "1080p",
            "duration": 6,
            "negative_prompt": "blur",
            "enable_prompt_expansion": True,
        },
        inputs={"audio": {"format": "mp3"}},
    )
    assert error.code == "VALIDATION_ERROR"
    assert set(problems) == {
        "video",
        "audio",
        "prompt",
        "duration",
        "resolution",
        "negative_prompt",
        "enable_prompt_expansion",
    }
    assert problems["prompt"]["code"] == "INVALID_PROMPT"
    assert problems["resolution"]["code"] == "INVALID_RESOLUTION"
    assert problems["negative_prompt"]["allowed"] == ["seed"]
    assert error.message.startswith("7 problems")


@pytest.mark.parametrize(
    ("fields", "field", "code", "allowed"),
    [
        ({"resolution": "1080p"}, "resolution", "INVALID_RESOLUTION", ["480p", "720p"]),
        ({"duration": 3}, "duration", "VALIDATION_ERROR", {"min": 4, "max": 12}),
        ({"duration": 13}, "duration", "VALIDATION_ERROR", {"min": 4, "max": 12}),
        ({"duration": "five"}, "duration", "VALIDATION_ERROR", {"min": 4, "max": 12}),
        ({"with_audio": "maybe"}, "with_audio", "VALIDATION_ERROR", [True, False]),
        ({"negative_prompt": "x"}, "negative_prompt", "VALIDATION_ERROR", None),
        ({"seed": -1}, "seed", "VALIDATION_ERROR", {"min": 0, "max": 2**32 - 1}),
    ],
)
def test_seedance_extend_rejects(all_keys, fields, field, code, allowed):
    error, problems = problems_of(
        fields={"model": "bytedance/seedance-v1.5-pro/video-extend", "prompt": "p", **fields},
        inputs={"video": MP4_4S},
    )
    assert error.code == code
    assert problems[field]["code"] == code
    if allowed is not None:
        assert problems[field]["allowed"] == allowed


def test_seedance_extend_generates_audio_unless_told_not_to(all_keys):
    fields = {"model": "bytedance/seedance-v1.5-pro/video-extend", "prompt": "p"}
    assert job_preflight(fields=fields, inputs={"video": True}).with_audio is True
    off = job_preflight(fields={**fields, "generate_audio": False}, inputs={"video": True})
    assert off.with_audio is False


@pytest.mark.parametrize(
    ("audio", "code"),
    [
        ({"format": "mp3", "size_bytes": 16 * MB, "duration_s": 10}, "FILE_TOO_LARGE"),
        ({"format": "mp3", "size_bytes": MB, "duration_s": 2}, "VALIDATION_ERROR"),
        ({"format": "wav", "size_bytes": MB, "duration_s": 31}, "VALIDATION_ERROR"),
        ({"format": "flac", "size_bytes": MB, "duration_s": 10}, "UNSUPPORTED_FORMAT"),
    ],
)
def test_wan_25_extend_audio_limits(all_keys, audio, code):
    error, problems = problems_of(
        fields={"model": "alibaba/wan-2.5/video-extend", "prompt": "p"},
        inputs={"video": MP4_4S, "audio": audio},
    )
    assert error.code == code
    assert problems["audio"]["code"] == code


def test_wan_25_extend_accepts_audio_within_limits(all_keys):
    audio = {"format": "mp3", "size_bytes": 15 * MB, "duration_s": 30}
    preflight = job_preflight(
        fields={"model": "alibaba/wan-2.5/video-extend", "prompt": "p"},
        inputs={"video": MP4_4S, "audio": audio},
    )
    assert preflight.model_id == "alibaba/wan-2.5/video-extend"
    assert set(preflight.inputs) == {"video", "audio"}


@pytest.mark.parametrize(
    ("image", "code"),
    [
        ({"format": "png", "width": 511, "height": 1024}, "INVALID_RESOLUTION"),
        ({"format": "png", "width": 1024, "height": 2049}, "INVALID_RESOLUTION"),
        ({"format": "gif", "width": 1024, "height": 1024}, "UNSUPPORTED_FORMAT"),
    ],
)
def test_kandinsky_takes_512_to_2048_pixel_images(all_keys, image, code):
    error, problems = problems_of(
        fields={"model": "wavespeed-ai/kandinsky5-pro/image-to-video"}, inputs={"image": image}
    )
    assert error.code == code
    if code == "INVALID_RESOLUTION":
        assert problems["image"]["allowed"] == {"min_px": 512, "max_px": 2048}
    else:
        assert problems["image"]["allowed"] == ["jpeg", "png", "webp"]


def test_kandinsky_accepts_the_edges_and_jpg(all_keys):
    for w, h in ((512, 512), (2048, 2048), (512, 2048)):
        job_preflight(
            fields={"model": "wavespeed-ai/kandinsky5-pro/image-to-video", "duration": 5},
            inputs={"image": {"format": "jpg", "width": w, "height": h}},
        )
    _error, problems = problems_of(
        fields={"model": "wavespeed-ai/kandinsky5-pro/image-to-video", "duration": 10},
        inputs={"image": PNG_1024},
    )
    assert problems["duration"]["allowed"] == {"choices": [5]}


def test_a_missing_input_or_prompt_is_a_problem_on_submit_but_not_for_an_estimate(all_keys):
    _error, problems = problems_of(fields={"model": "kling-2.1-standard"})
    assert set(problems) == {"image", "prompt"}
    pre = job_preflight(fields={"model": "kling-2.1-standard"}, for_estimate=True)
    assert pre.duration_s == 5


def test_prompts_are_checked(all_keys):
    error, _ = problems_of(fields={"model": "seedance-lite-t2v", "prompt": "   "})
    assert error.code == "INVALID_PROMPT"
    error, problems = problems_of(fields={"model": "seedance-lite-t2v", "prompt": "x" * 2001})
    assert problems["prompt"]["allowed"] == {"max_length": 2000}


def test_unknown_names_are_validation_errors():
    error, problems = problems_of(fields={"model": "nope", "method": "text-to-video"})
    assert error.code == "VALIDATION_ERROR"
    assert "local/text-to-video" in problems["model"]["allowed"]
    error, problems = problems_of(fields={"method": "dance", "quality": "ultra"})
    assert set(problems) == {"method", "quality"}
    assert problems["quality"]["allowed"] == ["draft", "standard", "premium"]
    error, _ = problems_of(fields=["not", "a", "dict"])
    assert error.code == "VALIDATION_ERROR"


def test_a_model_refuses_a_method_it_does_not_do(all_keys):
    _, problems = problems_of(fields={"model": "wavespeed-ai/flashvsr", "method": "lip-sync"})
    assert problems["method"]["allowed"] == ["upscale"]


def test_a_model_without_audio_refuses_with_audio(all_keys):
    _, problems = problems_of(
        fields={
            "model": "wavespeed-ai/hunyuan-video-1.5/text-to-video",
            "prompt": "p",
            "with_audio": True,
        }
    )
    assert problems["with_audio"]["allowed"] == [False]


def test_input_videos_must_be_a_sensible_size_and_length(all_keys):
    _, problems = problems_of(
        fields={"model": "wavespeed-ai/video-outpainter"},
        inputs={"video": {"format": "mp4", "width": 320, "height": 200, "duration_s": 4}},
    )
    assert problems["video"]["code"] == "INVALID_RESOLUTION"
    error, _ = problems_of(
        fields={"model": "wavespeed-ai/video-outpainter"},
        inputs={"video": {"format": "mp4", "width": 640, "height": 360, "duration_s": 6}},
    )
    assert error.details["problems"][0]["allowed"] == {"min_s": 2, "max_s": 5}


def test_an_upscale_is_billed_on_the_probed_video(all_keys):
    pre = job_preflight(
        fields={"model": "wavespeed-ai/flashvsr", "resolution": "4k", "duration": 3},
        inputs={"video": {"format": "mp4", "duration_s": 12.2}},
    )
    assert (pre.duration_s, pre.resolution) == (13, "2160p")


def test_lip_sync_follows_the_audio_and_checks_its_length(all_keys):
    face = {"image": PNG_1024}
    pre = job_preflight(
        fields={"model": "kling-avatar-standard"},
        inputs={**face, "audio": {"format": "mp3", "duration_s": 9.5}},
    )
    assert pre.duration_s == 10
    _, problems = problems_of(
        fields={"model": "kling-avatar-standard"},
        inputs={**face, "audio": {"format": "mp3", "duration_s": 20}},
    )
    assert problems["audio"]["allowed"] == {"min": 5, "max": 15}


def test_storyboards(all_keys):
    scenes = [{"prompt": "desert highway", "duration": 5}, {"description": "hands", "duration": 10}]
    pre = job_preflight(fields={"model": "sora-2-pro-storyboard", "storyboard": scenes})
    assert pre.duration_s == 15
    assert pre.storyboard[1] == {"prompt": "hands", "duration": 10}
    _, problems = problems_of(fields={"model": "sora-2-pro-storyboard", "storyboard": scenes * 2})
    assert problems["duration"]["allowed"] == {"min": 10, "max": 25}
    _, problems = problems_of(
        fields={"model": "sora-2-pro-storyboard", "storyboard": [{"duration": 12}]}
    )
    assert problems["storyboard[0].prompt"]["code"] == "INVALID_PROMPT"
    _, problems = problems_of(fields={"model": "sora-2-pro-storyboard"})
    assert "storyboard" in problems
    _, problems = problems_of(
        fields={"model": "seedance-lite-t2v", "prompt": "p", "storyboard": scenes}
    )
    assert "storyboard" in problems


def test_local_ken_burns_options():
    fields = {
        "model": "local/image-to-video",
        "camera_motion": "zoom",
        "motion_strength": 0.7,
        "fps": 60,
        "aspect_ratio": "4:5",
    }
    pre = job_preflight(fields=fields, inputs={"image": PNG_1024})
    assert pre.options == {"camera_motion": "zoom", "motion_strength": 0.7}
    assert (pre.fps, pre.aspect_ratio) == (60, "4:5")
    _, problems = problems_of(
        fields={**fields, "camera_motion": "orbit", "motion_strength": 1.5, "fps": 23},
        inputs={"image": PNG_1024},
    )
    assert problems["camera_motion"]["allowed"][:2] == ["static", "pan"]
    assert {"pan_left", "tilt_down", "zoom_out"} <= set(problems["camera_motion"]["allowed"])
    assert problems["motion_strength"]["allowed"] == {"min": 0, "max": 1}
    assert problems["fps"]["allowed"] == {"min": 24, "max": 60}


def test_local_edit_transform_and_optimize_settings():
    video = {"video": MP4_4S}
    pre = job_preflight(
        fields={
            "model": "local/edit",
            "trim_start": 1,
            "trim_end": 3,
            "aspect_ratio": "9:16",
            "speed": 2,
            "mute": True,
        },
        inputs=video,
    )
    assert pre.aspect_ratio == "9:16" and pre.options["mute"] is True
    _, problems = problems_of(
        fields={"model": "local/edit", "trim_start": 3, "trim_end": 1, "aspect_ratio": "5:4"},
        inputs=video,
    )
    assert set(problems) == {"trim_end", "aspect_ratio"}
    assert job_preflight(fields={"model": "local/optimize"}, inputs=video).options == {
        "optimize_level": "medium"
    }
    _, problems = problems_of(
        fields={"model": "local/optimize", "optimize_level": "low", "target_size_mb": 10},
        inputs=video,
    )
    assert "target_size_mb" in problems
    _, problems = problems_of(
        fields={"model": "local/transform", "output_format": "avi"}, inputs=video
    )
    assert problems["output_format"]["allowed"] == ["mp4", "webm", "mov"]
    pre = job_preflight(fields={"model": "local/enhance", "resolution": "2160p"}, inputs=video)
    assert pre.resolution == "2160p"


def test_a_local_edit_with_nothing_to_change_is_refused_before_it_is_charged():
    video = {"video": MP4_4S}
    error, problems = problems_of(fields={"model": "local/edit", "fit": "pad"}, inputs=video)
    assert error.status == 400
    assert "aspect_ratio" in problems["settings"]["allowed"]
    _, problems = problems_of(fields={"model": "local/edit", "mute": False}, inputs=video)
    assert "settings" in problems
    assert job_preflight(fields={"model": "local/edit", "mute": True}, inputs=video)
    assert job_preflight(fields={"model": "local/edit"}, inputs=video, for_estimate=True)


def test_trim_mode_is_an_optional_edit_setting_that_changes_nothing_alone():
    video = {"video": MP4_4S}
    pre = job_preflight(
        fields={"model": "local/edit", "trim_start": 1, "trim_mode": "keyframe"}, inputs=video
    )
    assert pre.options["trim_mode"] == "keyframe"
    assert (
        "trim_mode"
        not in job_preflight(fields={"model": "local/edit", "trim_start": 1}, inputs=video).options
    )
    _, problems = problems_of(
        fields={"model": "local/edit", "trim_start": 1, "trim_mode": "nearest"}, inputs=video
    )
    assert problems["trim_mode"]["allowed"] == ["accurate", "keyframe"]
    error, problems = problems_of(
        fields={"model": "local/edit", "trim_mode": "accurate"}, inputs=video
    )
    assert error.status == 400 and "trim_mode" not in problems["settings"]["allowed"]


# --- Auto-selection and the image switch -------------------------------------------------


@pytest.mark.parametrize(
    ("method", "inputs", "model_id"),
    [
        ("text-to-video", {}, "local/text-to-video"),
        ("image-to-video", {"image": PNG_1024}, "local/image-to-video"),
        ("extend-video", {"video": MP4_4S}, "local/extend-video"),
        ("lip-sync", {"image": PNG_1024, "audio": {"duration_s": 5}}, "local/lip-sync"),
        ("upscale", {"video": MP4_4S}, "local/enhance"),
        ("edit", {"video": MP4_4S}, "local/edit"),
    ],
)
def test_with_no_keys_auto_selection_picks_the_local_engine(method, inputs, model_id):
    # An edit needs a change to be anything (see the test below).
    change = {"speed": 2} if method == "edit" else {}
    pre = job_preflight(fields={"method": method, "prompt": "a cat", **change}, inputs=inputs)
    assert pre.model_id == model_id
    assert pre.auto_selected


def test_an_image_without_a_method_means_image_to_video():
    pre = job_preflight(fields={"prompt": "a cat"}, inputs={"image": PNG_1024})
    assert (pre.method, pre.model_id) == ("image-to-video", "local/image-to-video")


def test_with_no_model_for_the_method_auto_selection_says_unavailable():
    error, problems = problems_of(fields={"method": "motion-control"})
    assert error.code == "MODEL_UNAVAILABLE"
    assert problems["model"]["allowed"] == ["kling-3.0-motion-720p", "kling-3.0-motion-1080p"]


@pytest.mark.parametrize(
    ("quality", "expected_quality"),
    [("draft", "draft"), ("standard", "standard"), ("premium", "premium")],
)
def test_with_keys_auto_selection_matches_the_quality_tier(all_keys, quality, expected_quality):
    entry = model_auto_select(method="text-to-video", quality=quality)
    assert entry.spec.quality == expected_quality
    assert not entry.spec.is_local


def test_auto_selection_prefers_a_model_that_accepts_the_fields(all_keys):
    pre = job_preflight(
        fields={
            "method": "text-to-video",
            "prompt": "p",
            "duration": 12,
            "resolution": "1080p",
            "quality": "draft",
        }
    )
    assert pre.model_id == "seedance-lite-t2v"


def test_auto_selection_prefers_a_featured_model(all_keys):
    model_override_set(model_id="kling-2.1-master-t2v", featured=True)
    assert model_auto_select(method="text-to-video", quality="premium").id == (
        "kling-2.1-master-t2v"
    )


@pytest.mark.parametrize(
    ("model_id", "sibling"),
    [
        ("seedance-lite-t2v", "seedance-lite-i2v"),
        ("kling-2.6-t2v", "kling-2.6-i2v"),
        ("sora-2-standard-t2v", "sora-2-standard-i2v"),
        ("local/text-to-video", "local/image-to-video"),
    ],
)
def test_a_text_model_given_an_image_switches_to_its_image_sibling(all_keys, model_id, sibling):
    pre = job_preflight(fields={"model": model_id, "prompt": "p"}, inputs={"image": PNG_1024})
    assert pre.model_id == sibling
    assert pre.method == "image-to-video"
    assert pre.switched_from == model_id
    assert any("Switched" in note for note in pre.notes)


def test_a_model_doing_both_keeps_itself_and_switches_method(all_keys):
    pre = job_preflight(
        fields={"model": "veo3-fast", "prompt": "p", "method": "text-to-video"},
        inputs={"image": PNG_1024},
    )
    assert (pre.model_id, pre.method, pre.switched_from) == ("veo3-fast", "image-to-video", None)


def test_a_text_model_without_a_sibling_refuses_an_image(all_keys):
    _, problems = problems_of(
        fields={"model": "lightricks/ltx-2-pro/text-to-video", "prompt": "p"},
        inputs={"image": PNG_1024},
    )
    assert problems["image"]["code"] == "VALIDATION_ERROR"


def test_aliases_resolve_and_fields_are_normalised(all_keys):
    pre = job_preflight(
        fields={
            "model": "infinitalk",
            "image": "https://x/face.png",
            "audio": "ast_1",
            "audio_duration": 7,
            "resolution": "720p",
        }
    )
    assert pre.model_id == "wavespeed-ai/infinitetalk"
    assert pre.duration_s == 7
    assert pre.job_fields()["model"] == "wavespeed-ai/infinitetalk"
