"""The request builders: immutable, and what they send."""

import dataclasses

import pytest
from reelsmith import InputRef, ProcessRequest, ValidationError, VideoGenerationRequest
from reelsmith._core import generate_call, process_call
from reelsmith._sizes import resolve_size

ALL_BUILDERS = [
    ("with_model", "local/text-to-video"),
    ("with_method", "text-to-video"),
    ("with_duration", 5),
    ("with_width", 1280),
    ("with_height", 720),
    ("with_resolution", "720p"),
    ("with_aspect_ratio", "16:9"),
    ("with_fps", 24),
    ("with_quality", "premium"),
    ("with_seed", 42),
    ("with_negative_prompt", "blur"),
    ("with_audio", True),
    ("with_image", "https://example.com/a.png"),
    ("with_end_image", "ast_end"),
    ("with_video", "ast_video"),
    ("with_audio_file", b"RIFF\x00\x00\x00\x00WAVEfmt "),
    ("with_camera_motion", "pan_left"),
    ("with_motion_strength", 0.7),
    ("with_storyboard", [("A fox", 2)]),
    ("with_webhook_url", "https://example.com/hook"),
    ("with_param", "cfg_scale"),
]


@pytest.mark.parametrize(("builder", "value"), ALL_BUILDERS, ids=[b for b, _ in ALL_BUILDERS])
def test_every_builder_returns_a_new_request_and_leaves_the_original_alone(builder, value):
    original = VideoGenerationRequest("A person dancing")
    before = dataclasses.asdict(original)
    args = (value, 7.5) if builder == "with_param" else (value,)
    changed = getattr(original, builder)(*args)
    assert changed is not original
    assert changed != original
    assert dataclasses.asdict(original) == before
    with pytest.raises(dataclasses.FrozenInstanceError):
        original.duration = 3  # type: ignore[misc]


def test_the_specs_builder_example_sends_720p_16_9():
    request = (
        VideoGenerationRequest("A person dancing")
        .with_model("runway-gen-4")
        .with_duration(10)
        .with_width(1280)
        .with_height(720)
    )
    size = resolve_size(width=request.width, height=request.height)
    call = generate_call(request, size, "key-1")
    assert call.json == {
        "method": "text-to-video",
        "prompt": "A person dancing",
        "model": "runway-gen-4",
        "duration": 10,
        "resolution": "720p",
        "aspect_ratio": "16:9",
    }
    assert call.headers == {"Idempotency-Key": "key-1"}


def test_every_submit_gets_its_own_idempotency_key():
    request = VideoGenerationRequest("x")
    one, two = generate_call(request, None, None), generate_call(request, None, None)
    assert one.headers["Idempotency-Key"] != two.headers["Idempotency-Key"]


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (1920, 1080, ("1080p", "16:9")),
        (1024, 576, ("576p", "16:9")),
        (720, 1280, ("720p", "9:16")),
        (1000, 1000, ("1080p", "1:1")),
        (1280, None, ("720p", None)),
        (None, 480, ("480p", None)),
        (1080, 1350, ("1080p", "4:5")),
    ],
)
def test_width_and_height_map_to_the_nearest_allowed_size(width, height, expected):
    assert resolve_size(width=width, height=height) == expected


def test_a_size_far_from_every_allowed_one_is_an_error_listing_them():
    with pytest.raises(ValidationError) as info:
        resolve_size(width=3840, height=2160, resolutions=["480p", "720p", "1080p"])
    assert info.value.code == "INVALID_RESOLUTION"
    assert info.value.details["allowed"] == ["480p", "720p", "1080p"]
    with pytest.raises(ValidationError) as ratio:
        resolve_size(width=3000, height=1000)  # 3:1
    assert "16:9" in ratio.value.message
    with pytest.raises(ValidationError):
        resolve_size(width=1280, height=720, resolutions=[])  # a model sized by its input


def test_the_method_follows_the_inputs():
    base = VideoGenerationRequest("x")
    assert base.inferred_method() == "text-to-video"
    assert base.with_image("ast_1").inferred_method() == "image-to-video"
    assert base.with_image("ast_1").with_audio_file("ast_2").inferred_method() == "lip-sync"
    assert base.with_video("ast_3").inferred_method() == "extend-video"
    assert base.with_storyboard([{"prompt": "a", "duration": 2}]).inferred_method() == "storyboard"
    assert base.with_image("ast_1").with_method("text-to-video").inferred_method() == (
        "text-to-video"
    )


def test_inputs_travel_as_urls_asset_ids_or_multipart_files(tmp_path):
    image = tmp_path / "still.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\nrest")
    by_ref = VideoGenerationRequest("x").with_image("https://example.com/a.png")
    by_ref = by_ref.with_end_image("ast_end")
    call = generate_call(by_ref, None, "k")
    assert call.json["source_url"] == "https://example.com/a.png"
    assert call.json["end_image_asset"] == "ast_end"
    assert not call.files

    with_file = VideoGenerationRequest("x").with_image(image).with_duration(3)
    call = generate_call(with_file.with_storyboard([("a", 1)]), None, "k")
    assert call.json is None
    assert call.form["duration"] == "3" and call.form["storyboard"] == (
        '[{"prompt": "a", "duration": 1}]'
    )
    assert call.files["source_file"].kind == "file"
    name, handle = call.open_files()["source_file"]
    assert name == "still.png" and handle.read().startswith(b"\x89PNG")
    handle.close()

    raw = VideoGenerationRequest("x").with_image(image.read_bytes())
    assert raw.image == InputRef("bytes", image.read_bytes(), "image.png")


def test_bad_inputs_are_refused_when_given():
    with pytest.raises(FileNotFoundError):
        VideoGenerationRequest("x").with_image("/nonexistent/still.png")
    with pytest.raises(ValueError):
        VideoGenerationRequest("x").with_image(b"")
    with pytest.raises(TypeError):
        VideoGenerationRequest("x").with_storyboard([("a", "two")])
    with pytest.raises(ValueError):
        VideoGenerationRequest("x").with_image("ast_1").with_video("ast_2").inputs()


def test_process_request_is_immutable_and_sends_its_settings():
    base = ProcessRequest("edit", source="ast_video")
    trimmed = base.with_setting("trim_start", 1).with_settings({"mute": True})
    assert base.settings == () and dict(trimmed.settings) == {"trim_start": 1, "mute": True}
    call = process_call(trimmed.with_model("local/edit"), "k")
    assert call.json == {
        "operation": "edit",
        "settings": {"trim_start": 1, "mute": True},
        "model": "local/edit",
        "source_asset": "ast_video",
    }


def test_a_process_prompt_is_sent_only_when_given_and_leaves_the_base_unchanged():
    base = ProcessRequest("retake", source="ast_take", settings={"duration": 4})
    assert base.prompt is None and "prompt" not in process_call(base, "k").json
    one = base.with_prompt("She smiles")
    two = one.with_prompt("She waves").with_model("lightricks/ltx-2-retake")
    assert (base.prompt, one.prompt, two.prompt) == (None, "She smiles", "She waves")
    assert process_call(two, "k").json == {
        "operation": "retake",
        "settings": {"duration": 4},
        "model": "lightricks/ltx-2-retake",
        "prompt": "She waves",
        "source_asset": "ast_take",
    }
    by_keyword = ProcessRequest("retake", "ast_take", {"duration": 4}, prompt="She smiles")
    assert by_keyword == one
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.prompt = "changed"  # type: ignore[misc]


def test_a_process_prompt_travels_in_the_form_beside_an_uploaded_source():
    call = process_call(
        ProcessRequest("retake", source=b"\x00\x00\x00\x18ftypmp42", prompt="Hi"), "k"
    )
    assert call.json is None and call.form is not None
    assert (call.form["operation"], call.form["prompt"]) == ("retake", "Hi")
    assert set(call.files) == {"source_file"}


@pytest.mark.parametrize("prompt", [42, b"She smiles", ["She smiles"]])
def test_a_process_prompt_that_is_not_text_is_refused_before_anything_is_sent(prompt):
    with pytest.raises(TypeError, match="prompt must be a string"):
        ProcessRequest("retake", source="ast_take", prompt=prompt)
    with pytest.raises(TypeError, match="prompt must be a string"):
        ProcessRequest("retake", source="ast_take").with_prompt(prompt)
