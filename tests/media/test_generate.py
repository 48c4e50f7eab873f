import numpy as np
import pytest

from apps.media import MediaValidationError, image_to_video, lipsync_preview, text_to_video
from apps.media.ops.generate import ken_burns_window
from tests.media.conftest import assert_video, rgb_frames


def shift_x(a: np.ndarray, b: np.ndarray) -> int:
    """How far (pixels) the content of b moved right relative to a: the offset at which a
    central strip of a best matches b (mean absolute difference)."""
    a, b = a.astype(int), b.astype(int)
    lo, hi = a.shape[1] // 2 - 75, a.shape[1] // 2 + 75
    scores = {
        s: np.abs(a[:, lo:hi] - b[:, lo + s : hi + s]).mean() for s in range(-lo, a.shape[1] - hi)
    }
    return min(scores, key=scores.get)


def test_image_to_video_has_the_requested_duration_size_and_fps(photo, tmp_path):
    info = image_to_video(
        src=photo, dst=tmp_path / "v.mp4", duration=1.5, fps=30, resolution="480p",
        aspect="16:9", camera_motion="zoom_in", motion_strength=0.6,
    )  # fmt: skip
    assert_video(info, width=854, height=480, duration=1.5, fps=30, audio=False)
    assert info.fps == pytest.approx(30)


def test_a_pan_right_moves_the_content_left(photo, tmp_path):
    info = image_to_video(
        src=photo, dst=tmp_path / "pan.mp4", duration=1.0, resolution="480p",
        camera_motion="pan_right", motion_strength=1.0,
    )  # fmt: skip
    frames = rgb_frames(info.path)
    assert shift_x(frames[0], frames[-1]) < -40


def test_pan_left_moves_the_content_right(photo, tmp_path):
    info = image_to_video(
        src=photo, dst=tmp_path / "pan.mp4", duration=1.0, resolution="480p",
        camera_motion="pan_left", motion_strength=1.0,
    )  # fmt: skip
    frames = rgb_frames(info.path)
    assert shift_x(frames[0], frames[-1]) > 40


def test_zoom_in_narrows_the_window_towards_the_centre():
    start = ken_burns_window("zoom_in", 1.0, 0.0, 1000, 500)
    end = ken_burns_window("zoom_in", 1.0, 1.0, 1000, 500)
    assert start == (0.0, 0.0, 1000.0, 500.0)
    assert end[2] - end[0] == pytest.approx(1000 / 1.5)
    assert (end[0] + end[2]) / 2 == pytest.approx(500)


def test_tilt_up_moves_the_window_up_and_zoom_out_widens_it():
    assert ken_burns_window("tilt_up", 1.0, 1.0, 1000, 500)[1] == 0
    assert ken_burns_window("tilt_up", 1.0, 0.0, 1000, 500)[1] > 0
    a, b = ken_burns_window("zoom_out", 1.0, 0.0, 1000, 500), (0.0, 0.0, 1000.0, 500.0)
    assert ken_burns_window("zoom_out", 1.0, 1.0, 1000, 500) == b and a != b


def test_static_motion_keeps_every_frame_the_same(photo, tmp_path):
    info = image_to_video(
        src=photo, dst=tmp_path / "s.mp4", duration=1.0, resolution="480p", camera_motion="static"
    )
    frames = rgb_frames(info.path)
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() < 2


@pytest.mark.parametrize("alias", ["pan", "tilt", "zoom"])
def test_short_camera_motion_names_are_accepted(photo, tmp_path, alias):
    info = image_to_video(
        src=photo, dst=tmp_path / "a.mp4", duration=0.5, resolution="480p", camera_motion=alias
    )
    assert info.frame_count == 12


@pytest.mark.parametrize(
    "kwargs",
    [{"camera_motion": "spin"}, {"motion_strength": 1.5}, {"fps": 12}, {"fps": 90},
     {"resolution": "4k"}, {"aspect": "2:1"}, {"duration": 0}],
)  # fmt: skip
def test_bad_image_to_video_parameters_are_validation_errors(photo, tmp_path, kwargs):
    with pytest.raises(MediaValidationError):
        image_to_video(src=photo, dst=tmp_path / "x.mp4", **kwargs)
    assert not (tmp_path / "x.mp4").exists()


def test_image_to_video_refuses_a_video_as_its_image(clip, tmp_path):
    with pytest.raises(Exception) as err:
        image_to_video(src=clip, dst=tmp_path / "x.mp4")
    assert err.value.code == "UNSUPPORTED_FORMAT"


def test_text_to_video_is_an_animated_animatic_labelled_as_a_local_preview(tmp_path):
    info = text_to_video(
        dst=tmp_path / "t.mp4", prompt="A lighthouse on a cliff at night, storm clouds",
        duration=1.0, resolution="480p", aspect="9:16",
    )  # fmt: skip
    assert_video(info, width=480, height=854, duration=1.0, audio=False)
    frames = rgb_frames(info.path)
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 2
    label = frames[-1][10:40, 10:300].astype(int)
    yellowish = (label[..., 0] > 200) & (label[..., 1] > 180) & (label[..., 2] < 170)
    assert yellowish.sum() > 50  # the "LOCAL PREVIEW - not AI-generated" label


def test_text_to_video_refuses_an_empty_prompt(tmp_path):
    with pytest.raises(MediaValidationError):
        text_to_video(dst=tmp_path / "t.mp4", prompt="   ")


def test_lipsync_preview_lasts_as_long_as_the_audio_and_moves_with_its_loudness(
    photo, half_silent_wav, tmp_path
):
    info = lipsync_preview(
        image=photo, audio=half_silent_wav, dst=tmp_path / "l.mp4", resolution="480p"
    )
    assert_video(info, width=720, height=480, duration=2.0, audio=True)
    frames = rgb_frames(info.path)
    quiet, loud = frames[12].astype(int), frames[36].astype(int)
    assert np.abs(frames[0].astype(int) - quiet).mean() < 2  # silence: nothing moves
    assert np.abs(quiet - loud).mean() > 3  # the voice makes the picture move
