"""Background removal with the bundled segmentation network, on a real photograph.

fixtures/portrait.jpg is Grace Hopper's official US Navy portrait (public domain; the
copy matplotlib ships as sample data): a person in front of a plain dark backdrop, so the
top corners are known background and the middle of the face is known foreground.
"""

import sys
from pathlib import Path

import av
import numpy as np
import pytest

from apps import media
from apps.media.ops.matte import _Matte
from tests.media.conftest import assert_video

PORTRAIT = Path(__file__).parent / "fixtures" / "portrait.jpg"

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 13), reason="no mediapipe wheel")


def person_clip(dst: Path, *, camera_motion: str = "static", strength: float = 0.0) -> Path:
    """One second of the photograph at 480x562, 24 fps."""
    media.image_to_video(
        src=PORTRAIT,
        dst=dst,
        duration=1,
        fps=24,
        resolution="480p",
        aspect=None,
        camera_motion=camera_motion,
        motion_strength=strength,
    )
    return dst


@pytest.fixture(scope="module")
def portrait_video(tmp_path_factory) -> Path:
    return person_clip(tmp_path_factory.mktemp("matte") / "portrait.mp4")


def alpha_planes(path: Path) -> list[np.ndarray]:
    """Every frame's alpha, decoded with libvpx (FFmpeg's own VP9 decoder drops alpha)."""
    out = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        decoder = av.CodecContext.create("libvpx-vp9", "r")
        for packet in container.demux(stream):
            for frame in decoder.decode(packet):
                assert frame.format.name == "yuva420p"
                out.append(frame.to_ndarray(format="rgba")[..., 3])
    return out


def first_rgb(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24")


def regions(plane: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(top-left backdrop, top-right backdrop, middle of the face) of the portrait."""
    h, w = plane.shape[:2]
    return (
        plane[: h // 10, : w // 10],
        plane[: h // 10, -w // 10 :],
        plane[int(h * 0.35) : int(h * 0.45), int(w * 0.42) : int(w * 0.58)],
    )


def test_the_person_stays_and_the_backdrop_becomes_transparent(portrait_video, tmp_path):
    info = media.remove_background(src=portrait_video, dst=tmp_path / "cut.webm")
    assert (info.container, info.video_codec) == ("webm", "vp9")
    assert (info.width, info.height, info.frame_count) == (480, 562, 24)
    with av.open(str(info.path)) as container:
        assert container.streams.video[0].metadata.get("alpha_mode") == "1"
    planes = alpha_planes(info.path)
    assert len(planes) == 24
    for alpha in planes:
        left, right, face = regions(alpha)
        assert alpha.std() > 60, "alpha is not constant"
        assert left.mean() < 8 and right.mean() < 8, "the backdrop is transparent"
        assert face.mean() > 247, "the face is opaque"
        opaque = (alpha > 128).mean()
        assert 0.3 < opaque < 0.8, opaque


def test_a_background_colour_gives_an_mp4_with_the_person_over_that_colour(
    portrait_video, tmp_path
):
    info = media.remove_background(
        src=portrait_video, dst=tmp_path / "green.mp4", background_color="#00ff00"
    )
    assert (info.container, info.video_codec) == ("mp4", "h264")
    out, source = first_rgb(info.path).astype(int), first_rgb(portrait_video).astype(int)
    left, right, face = regions(out)
    for corner in (left, right):
        assert np.abs(corner.mean(axis=(0, 1)) - (0, 255, 0)).max() < 12
    # The face is the source's face, not tinted by the colour.
    assert np.abs(face.mean(axis=(0, 1)) - regions(source)[2].mean(axis=(0, 1))).max() < 6


def test_audio_is_kept(clip, tmp_path):
    """The synthetic clip has no person (so the network keys most of it out) but a tone."""
    info = media.remove_background(src=clip, dst=tmp_path / "out.webm")
    assert_video(info, width=640, height=360, duration=2.0, audio=True, codec="vp9")
    assert info.audio_codec == "opus"


def test_progress_rises_to_100(portrait_video, tmp_path):
    seen: list[int] = []
    media.remove_background(src=portrait_video, dst=tmp_path / "p.webm", on_progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 100 and len(seen) > 5


def test_cancelling_stops_and_leaves_no_output(portrait_video, tmp_path):
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    dst = tmp_path / "cut.webm"
    with pytest.raises(media.Cancelled):
        media.remove_background(src=portrait_video, dst=dst, should_cancel=cancel)
    assert not dst.exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize("colour", ["green", "#00ff0", "#00ff00aa", "00ff00", "#gg0000", ""])
def test_a_bad_colour_is_refused(portrait_video, tmp_path, colour):
    with pytest.raises(media.MediaValidationError, match="background_color"):
        media.remove_background(src=portrait_video, dst=tmp_path / "x.mp4", background_color=colour)


def test_a_still_image_is_not_a_video(tmp_path):
    with pytest.raises(media.MediaValidationError, match="needs a video"):
        media.remove_background(src=PORTRAIT, dst=tmp_path / "x.webm")


def test_the_mask_is_smoothed_over_time(portrait_video):
    """One frame in which the network sees nobody: smoothed, the face only fades; without
    smoothing it is gone at once (the shimmer the smoothing exists to stop)."""
    with av.open(str(portrait_video)) as container:
        person = next(container.decode(video=0)).to_ndarray(format="rgb24")
    nobody = np.full_like(person, 20)
    face = (slice(200, 250), slice(200, 280))
    results = {}
    for smoothing in (0.6, 1.0):
        matte = _Matte(landscape=False, smoothing=smoothing)
        try:
            for _ in range(4):
                matte.alpha(person, size=(480, 562))
            results[smoothing] = matte.alpha(nobody, size=(480, 562))[face].mean()
        finally:
            matte.close()
    assert results[1.0] < 5
    assert 20 < results[0.6] < 200
