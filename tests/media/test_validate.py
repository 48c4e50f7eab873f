from pathlib import Path

import pytest

from apps.media import (
    CorruptionDetected,
    Limits,
    MediaError,
    MediaValidationError,
    UnsupportedFormat,
    probe,
    sniff,
    validate,
)
from tests.media.conftest import make_clip, png_header_only


@pytest.fixture(scope="module")
def bad(media_dir) -> dict[str, Path]:
    d = media_dir / "bad"
    d.mkdir()
    files = {}
    files["text"] = d / "notes.mp4"
    files["text"].write_text("hello, this is not a video\n" * 20)
    files["empty"] = d / "empty.mp4"
    files["empty"].write_bytes(b"")
    whole = make_clip(d / "whole.mp4", seconds=2.0)
    data = whole.read_bytes()
    files["truncated"] = d / "truncated.mp4"
    files["truncated"].write_bytes(data[: len(data) // 2])
    no_index = make_clip(d / "slow.mp4", seconds=1.0, faststart=False)
    data = no_index.read_bytes()
    files["no_index"] = d / "no_index.mp4"
    files["no_index"].write_bytes(data[: len(data) // 2])
    files["bomb"] = png_header_only(d / "bomb.png", 30000, 30000)
    files["hls"] = d / "playlist.mp4"
    files["hls"].write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n{whole}\n")
    files["ffconcat"] = d / "concat.mp4"
    files["ffconcat"].write_text(f"ffconcat version 1.0\nfile '{whole}'\n")
    files["huge"] = make_clip(d / "huge.mp4", width=8192, height=256, seconds=0.1, audio=False)
    files["tiny"] = make_clip(d / "tiny.mp4", width=160, height=90, seconds=0.2, audio=False)
    return files


def test_probe_reports_container_size_duration_codecs_and_audio(clip):
    info = probe(clip)
    assert info.kind == "video"
    assert info.container == "mp4"
    assert (info.width, info.height) == (640, 360)
    assert info.duration == pytest.approx(2.0, abs=0.05)
    assert info.fps == pytest.approx(24)
    assert info.frame_count == 48
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert info.has_audio and info.bitrate > 0 and info.rotation == 0


def test_probe_reports_rotation_and_the_displayed_size(rotated_clip):
    info = probe(rotated_clip)
    assert info.rotation == 90
    assert (info.width, info.height) == (360, 640)


def test_validate_accepts_video_image_and_audio(clip, photo, long_wav):
    assert validate(path=clip, expect="video").has_audio
    image = validate(path=photo, expect="image")
    assert (image.container, image.width, image.height) == ("jpeg", 900, 600)
    audio = validate(path=long_wav, expect="audio")
    assert audio.container == "wav" and audio.duration == pytest.approx(3.0, abs=0.05)


def test_the_container_is_decided_from_content_not_the_name(media_dir, clip):
    disguised = media_dir / "really_an_mp4.png"
    disguised.write_bytes(clip.read_bytes())
    assert sniff(disguised).container == "mp4"
    assert validate(path=disguised).kind == "video"


def test_a_text_file_named_mp4_is_an_unsupported_format(bad):
    with pytest.raises(UnsupportedFormat) as err:
        validate(path=bad["text"])
    assert err.value.code == "UNSUPPORTED_FORMAT"
    # What was received, and what is accepted.
    assert "Received a text file" in err.value.message and "MP4" in err.value.message


def test_a_gif_or_a_pdf_is_named_in_the_error(media_dir):
    gif, pdf = media_dir / "anim.gif", media_dir / "doc.pdf"
    gif.write_bytes(b"GIF89a" + b"\x00" * 64)
    pdf.write_bytes(b"%PDF-1.7\n" + b"\x00" * 64)
    for path, words in ((gif, "a GIF image"), (pdf, "a PDF document")):
        with pytest.raises(UnsupportedFormat) as err:
            validate(path=path)
        assert err.value.message.startswith(f"Received {words}, which is not accepted.")
        assert "JPG, PNG, WebP" in err.value.message


def test_a_zero_byte_file_is_a_validation_error(bad):
    with pytest.raises(MediaValidationError, match="empty"):
        validate(path=bad["empty"])


def test_a_truncated_mp4_is_detected_as_corruption(bad):
    with pytest.raises(CorruptionDetected) as err:
        validate(path=bad["truncated"])
    assert err.value.code == "CORRUPTION_DETECTED"


def test_an_mp4_cut_before_its_index_is_corruption(bad):
    with pytest.raises(CorruptionDetected):
        validate(path=bad["no_index"])


def test_a_png_claiming_30000_by_30000_pixels_is_refused_from_its_header(bad):
    with pytest.raises(MediaValidationError) as err:
        validate(path=bad["bomb"])
    assert "too large" in err.value.message
    assert err.value.details["max_pixels"] == Limits().max_image_pixels


def test_an_image_over_our_pixel_limit_is_refused_before_decoding(media_dir):
    # 10000 x 5000 is under Pillow's own bomb guard, so our header check must catch it.
    path = png_header_only(media_dir / "big.png", 10000, 5000)
    with pytest.raises(MediaValidationError) as err:
        validate(path=path)
    assert err.value.details["width"] == 10000


@pytest.mark.parametrize("name", ["hls", "ffconcat"])
def test_a_playlist_pointing_at_a_local_file_is_unsupported(bad, name):
    with pytest.raises(UnsupportedFormat, match="Playlists"):
        validate(path=bad[name])


def test_a_video_far_over_the_size_limit_is_a_validation_error(bad):
    with pytest.raises(MediaValidationError) as err:
        validate(path=bad["huge"])
    assert err.value.code == "VALIDATION_ERROR"
    assert "8192x256" in err.value.message


def test_a_video_under_the_minimum_size_is_a_validation_error(bad):
    with pytest.raises(MediaValidationError, match="smallest"):
        validate(path=bad["tiny"])


def test_limits_are_parameters(clip):
    with pytest.raises(MediaValidationError, match="limit is 1 s"):
        validate(path=clip, limits=Limits(max_duration=1.0))
    with pytest.raises(MediaValidationError, match="frames"):
        validate(path=clip, limits=Limits(max_frames=10))
    with pytest.raises(MediaValidationError, match="MB"):
        validate(path=clip, limits=Limits(max_file_bytes=1000))


def test_an_image_where_video_is_expected_is_unsupported(photo):
    with pytest.raises(UnsupportedFormat) as err:
        validate(path=photo, expect="video")
    assert err.value.message == (
        "Received an image (JPEG) where a video is needed; accepted: MP4, MOV, WebM or AVI video."
    )


def test_a_missing_file_is_a_validation_error(media_dir):
    with pytest.raises(MediaValidationError, match="does not exist"):
        validate(path=media_dir / "nope.mp4")


def test_every_error_is_a_media_error_with_code_message_and_details(bad):
    for name in ["text", "empty", "truncated", "bomb", "hls", "huge"]:
        with pytest.raises(MediaError) as err:
            validate(path=bad[name])
        assert err.value.code in {"UNSUPPORTED_FORMAT", "CORRUPTION_DETECTED", "VALIDATION_ERROR"}
        assert err.value.message and isinstance(err.value.details, dict)
