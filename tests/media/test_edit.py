import numpy as np
import pytest

from apps.media import MediaValidationError, change_speed, concat, extend, reframe, trim
from tests.media.conftest import FPS, assert_video, audio_rms, frame_index, rgb_frames


def test_trim_keeps_exactly_the_requested_window(clip, tmp_path):
    info = trim(src=clip, dst=tmp_path / "t.mp4", start=0.5, end=1.5)
    assert_video(info, width=640, height=360, duration=1.0, audio=True)
    indexes = [frame_index(f) for f in rgb_frames(info.path)]
    assert indexes[0] == 12 and indexes[-1] == 35 and len(indexes) == 24


def test_trim_refuses_an_empty_window(clip, tmp_path):
    with pytest.raises(MediaValidationError):
        trim(src=clip, dst=tmp_path / "t.mp4", start=1.5, end=1.0)


def test_crop_to_9_16_keeps_the_centre(clip, tmp_path):
    info = reframe(src=clip, dst=tmp_path / "c.mp4", aspect="9:16", mode="crop")
    assert_video(info, width=202, height=360, duration=2.0, audio=True)
    out = rgb_frames(info.path)[0].astype(int)
    src = rgb_frames(clip)[0].astype(int)
    x0 = (640 - 202) // 2
    assert np.abs(out[200:, :, :2] - src[200:, x0 : x0 + 202, :2]).mean() < 6


@pytest.mark.parametrize("aspect", ["16:9", "9:16", "1:1", "4:5", "4:3", "3:4", "21:9"])
def test_pad_reaches_every_aspect(clip, tmp_path, aspect):
    info = reframe(src=clip, dst=tmp_path / "p.mp4", aspect=aspect, mode="pad")
    a, b = (int(v) for v in aspect.split(":"))
    assert info.width / info.height == pytest.approx(a / b, rel=0.02)
    assert info.width >= 640 and info.height >= 360


def test_pad_to_1_1_letterboxes_in_black(clip, tmp_path):
    info = reframe(src=clip, dst=tmp_path / "p.mp4", aspect="1:1", mode="pad")
    assert (info.width, info.height) == (640, 640)
    frame = rgb_frames(info.path)[0]
    assert frame[:100].mean() < 5 and frame[-100:].mean() < 5
    assert frame[200:440].mean() > 60


def test_double_speed_halves_the_duration_and_keeps_the_audio(clip, tmp_path):
    info = change_speed(src=clip, dst=tmp_path / "f.mp4", speed=2.0)
    assert_video(info, width=640, height=360, duration=1.0, audio=True)
    indexes = [frame_index(f) for f in rgb_frames(info.path)]
    assert indexes[:3] == [0, 2, 4]
    assert audio_rms(info.path, 0.1, 0.9) > 0.1


def test_half_speed_doubles_the_duration(clip, tmp_path):
    info = change_speed(src=clip, dst=tmp_path / "s.mp4", speed=0.5)
    assert_video(info, width=640, height=360, duration=4.0, audio=True)


def test_concat_length_is_the_sum_minus_the_crossfades(clip, silent_clip, portrait_clip, tmp_path):
    info = concat(clips=[clip, silent_clip, portrait_clip], dst=tmp_path / "c.mp4", crossfade=0.5)
    assert_video(info, width=640, height=360, duration=2.0 + 1.5 + 1.0 - 2 * 0.5, audio=True)


def test_concat_plays_clips_in_order_and_dissolves_between_them(clip, silent_clip, tmp_path):
    hard = concat(clips=[clip, silent_clip], dst=tmp_path / "hard.mp4")
    assert_video(hard, width=640, height=360, duration=3.5, audio=True)
    indexes = [frame_index(f) for f in rgb_frames(hard.path)]
    assert indexes[47] == 47 and indexes[48] == 0
    soft = concat(clips=[clip, silent_clip], dst=tmp_path / "soft.mp4", crossfade=0.5)
    frames = rgb_frames(soft.path)
    mid = frame_index(frames[48 - 6])  # halfway through the dissolve: between 42 and 6
    assert 10 < mid < 40


def test_concat_letterboxes_a_portrait_clip(clip, portrait_clip, tmp_path):
    info = concat(clips=[clip, portrait_clip], dst=tmp_path / "c.mp4")
    last = rgb_frames(info.path)[-1]
    assert last[:, :100].mean() < 5 and last[:, 300:340].mean() > 40


def test_concat_refuses_a_crossfade_longer_than_a_clip(clip, portrait_clip, tmp_path):
    with pytest.raises(MediaValidationError):
        concat(clips=[clip, portrait_clip], dst=tmp_path / "c.mp4", crossfade=1.5)


def test_extend_hold_repeats_the_last_frame(clip, tmp_path):
    info = extend(src=clip, dst=tmp_path / "e.mp4", seconds=1.0, mode="hold")
    assert_video(info, width=640, height=360, duration=3.0, audio=True)
    frames = rgb_frames(info.path)
    last = frames[47].astype(int)
    for tail in frames[48:]:
        assert np.abs(tail.astype(int) - last).mean() < 2
    assert audio_rms(info.path, 2.2, 2.9) < 0.01


def test_extend_loop_replays_from_the_start(clip, tmp_path):
    info = extend(src=clip, dst=tmp_path / "e.mp4", seconds=1.0, mode="loop")
    assert_video(info, width=640, height=360, duration=3.0, audio=True)
    indexes = [frame_index(f) for f in rgb_frames(info.path)]
    assert indexes[48:51] == [0, 1, 2]
    assert audio_rms(info.path, 2.2, 2.9) > 0.1


def test_extend_boomerang_plays_backwards_from_the_end(clip, tmp_path):
    info = extend(src=clip, dst=tmp_path / "e.mp4", seconds=0.5, mode="boomerang")
    assert_video(info, width=640, height=360, duration=2.5, audio=True)
    indexes = [frame_index(f) for f in rgb_frames(info.path)]
    assert indexes[46:52] == [46, 47, 46, 45, 44, 43]
    assert len(indexes) == 48 + FPS // 2
