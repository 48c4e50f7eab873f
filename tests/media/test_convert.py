import numpy as np
import pytest

from apps.media import (
    MediaValidationError,
    add_audio,
    mute,
    optimize,
    replace_audio,
    scale,
    scaled_size,
    transcode,
)
from tests.media.conftest import assert_video, audio_rms, frame_index, rgb_frames


def test_transcode_to_mp4_keeps_size_duration_frames_and_audio(clip, tmp_path):
    info = transcode(src=clip, dst=tmp_path / "out.mp4")
    assert_video(info, width=640, height=360, duration=2.0, audio=True)
    assert info.container == "mp4" and info.audio_codec == "aac"
    frames = rgb_frames(info.path)
    assert len(frames) == 48
    assert [frame_index(f) for f in frames[:3]] == [0, 1, 2]


def test_mp4_output_is_faststart_with_the_index_first(clip, tmp_path):
    data = transcode(src=clip, dst=tmp_path / "out.mp4").path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")


def test_transcode_to_webm_uses_vp9_and_opus(clip, tmp_path):
    info = transcode(src=clip, dst=tmp_path / "out.webm", container="webm")
    assert info.container == "webm"
    assert (info.video_codec, info.audio_codec) == ("vp9", "opus")
    assert info.duration == pytest.approx(2.0, abs=0.05)


def test_transcode_to_mov_keeps_h264_and_aac(clip, tmp_path):
    info = transcode(src=clip, dst=tmp_path / "out.mov", container="mov")
    assert info.container == "mov"
    assert_video(info, width=640, height=360, duration=2.0, audio=True)


def test_transcode_applies_rotation_metadata(rotated_clip, tmp_path):
    info = transcode(src=rotated_clip, dst=tmp_path / "out.mp4")
    assert (info.width, info.height, info.rotation) == (360, 640, 0)


@pytest.mark.parametrize(
    ("resolution", "size"),
    [("480p", (854, 480)), ("720p", (1280, 720)), ("1080p", (1920, 1080)), ("2160p", (3840, 2160))],
)
def test_scaled_size_keeps_the_aspect_on_the_short_side(resolution, size):
    assert scaled_size(640, 360, resolution) == size
    assert scaled_size(360, 640, resolution) == size[::-1]


def test_upscale_to_720p_doubles_the_frame_and_keeps_the_picture(clip, tmp_path):
    info = scale(src=clip, dst=tmp_path / "up.mp4", resolution="720p")
    assert_video(info, width=1280, height=720, duration=2.0, audio=True)
    first = rgb_frames(info.path)[0]
    source = rgb_frames(clip)[0]
    assert np.abs(first[::2, ::2].astype(int) - source.astype(int)).mean() < 6


def test_scale_refuses_an_unknown_resolution(clip, tmp_path):
    with pytest.raises(MediaValidationError):
        scale(src=clip, dst=tmp_path / "x.mp4", resolution="999p")


def test_optimize_low_quality_is_smaller_than_high(clip, tmp_path):
    low = optimize(src=clip, dst=tmp_path / "low.mp4", quality="low")
    high = optimize(src=clip, dst=tmp_path / "high.mp4", quality="high")
    assert low.size_bytes < high.size_bytes
    assert_video(low, width=640, height=360, duration=2.0, audio=True)


def test_optimize_to_a_target_size_stays_under_it(clip, tmp_path):
    info = optimize(src=clip, dst=tmp_path / "small.mp4", quality=None, target_size_mb=0.1)
    assert info.size_bytes <= 0.1 * 1_000_000 * 1.05
    assert_video(info, width=640, height=360, duration=2.0, audio=True)


def test_optimize_refuses_a_target_too_small_for_the_duration(clip, tmp_path):
    with pytest.raises(MediaValidationError, match="too small"):
        optimize(src=clip, dst=tmp_path / "x.mp4", target_size_mb=0.001)


def test_mute_drops_the_audio_track(clip, tmp_path):
    info = mute(src=clip, dst=tmp_path / "mute.mp4")
    assert_video(info, width=640, height=360, duration=2.0, audio=False)


def test_replace_audio_cuts_a_longer_track_to_the_video(clip, long_wav, tmp_path):
    info = replace_audio(src=clip, audio=long_wav, dst=tmp_path / "a.mp4")
    assert_video(info, width=640, height=360, duration=2.0, audio=True)
    assert audio_rms(info.path, 1.0, 1.9) > 0.1


def test_a_shorter_track_leaves_silence_after_it(clip, short_wav, tmp_path):
    info = replace_audio(src=clip, audio=short_wav, dst=tmp_path / "a.mp4")
    assert_video(info, width=640, height=360, duration=2.0, audio=True)
    assert audio_rms(info.path, 0.1, 0.9) > 0.1
    assert audio_rms(info.path, 1.2, 1.9) < 0.01


def test_add_audio_gives_a_silent_clip_a_soundtrack(silent_clip, short_wav, tmp_path):
    info = add_audio(src=silent_clip, audio=short_wav, dst=tmp_path / "a.mp4")
    assert_video(info, width=640, height=360, duration=1.5, audio=True)
    assert audio_rms(info.path, 0.1, 0.9) > 0.1


def test_add_audio_mixes_over_the_existing_sound(clip, short_wav, tmp_path):
    info = add_audio(src=clip, audio=short_wav, dst=tmp_path / "a.mp4")
    mixed, original = audio_rms(info.path, 0.1, 0.9), audio_rms(clip, 0.1, 0.9)
    assert mixed > original * 1.2
    assert audio_rms(info.path, 1.2, 1.9) == pytest.approx(original, rel=0.2)
