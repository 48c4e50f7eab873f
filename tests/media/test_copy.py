"""Edits that change no pixels copy the video stream instead of re-encoding it."""

from pathlib import Path

import av
import numpy as np
import pytest

from apps.media import Cancelled, MediaValidationError, mute, replace_audio, transcode, trim
from apps.media.errors import CorruptionDetected
from apps.media.ops import smartcut
from tests.media.conftest import FPS, frame_index, make_clip, rgb_frames

GOP = 12  # frames between IDR frames in the fixture: 0, 12, 24, 36 in a 48-frame clip
# A realistic encoder setup: B-frames (so decode order differs from display order), a
# fixed GOP, no scene-cut key frames.
X264 = {"preset": "veryfast", "crf": "18", "g": str(GOP), "keyint_min": str(GOP)}
X264["sc_threshold"] = "0"


@pytest.fixture(scope="module")
def gop_clip(media_dir) -> Path:
    return make_clip(media_dir / "gop.mp4", seconds=2.0, x264=X264)


def video_packets(path: Path) -> list[tuple[int, int, bytes, bool]]:
    """(pts, dts, data, key) of every video packet, in decode order."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [(p.pts, p.dts, bytes(p), p.is_keyframe) for p in container.demux(stream) if p.size]


def audio_samples(path: Path) -> tuple[int, int] | None:
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        return sum(f.samples for f in container.decode(stream)), stream.sample_rate


def diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(int) - b.astype(int)).mean())


def test_the_fixture_has_b_frames_and_a_fixed_gop(gop_clip):
    packets = video_packets(gop_clip)
    assert [i for i, p in enumerate(sorted(packets)) if p[3]] == [0, 12, 24, 36]
    assert any(pts != dts for pts, dts, _, _ in packets)


def test_smart_cut_is_frame_accurate_at_both_cut_points(gop_clip, tmp_path):
    # 0.3 s is frame 7.2 -> frame 7; 1.7 s is frame 40.8 -> the cut ends before frame 41.
    info = trim(src=gop_clip, dst=tmp_path / "t.mp4", start=0.3, end=1.7)
    source, out = rgb_frames(gop_clip), rgb_frames(info.path)
    assert [frame_index(f) for f in out] == list(range(7, 41))
    assert diff(out[0], source[7]) < 2.0
    assert diff(out[-1], source[40]) < 2.0
    assert diff(out[0], source[8]) > diff(out[0], source[7]) + 1  # really that frame
    assert max(diff(o, s) for o, s in zip(out, source[7:41], strict=True)) < 2.0
    assert info.duration == pytest.approx(34 / FPS, abs=0.01)


def test_smart_cut_copies_the_whole_gops_packet_for_packet(gop_clip, tmp_path):
    info = trim(src=gop_clip, dst=tmp_path / "t.mp4", start=0.3, end=1.7)
    source, out = video_packets(gop_clip), video_packets(info.path)
    step = 512  # ticks per frame in the fixture's time base (1/12288 s)
    offset = 7 * step
    middle = [p for p in source if 12 * step <= p[0] < 36 * step]  # GOPs 12-23 and 24-35
    by_pts = {p[0]: p for p in out}
    assert len(out) == 34 and len(middle) == 24
    for pts, dts, data, key in middle:
        copied = by_pts[pts - offset]
        assert copied[1] == dts - offset  # decode times kept, not re-made
        # The first copied packet carries the source's SPS/PPS in front (the edge
        # before it is a separate encode); the frame data itself is the same bytes.
        assert copied[2] == data or (pts == 12 * step and copied[2].endswith(data))
        assert copied[3] == key
    with av.open(str(gop_clip)) as a, av.open(str(info.path)) as b:
        src_cc, out_cc = a.streams.video[0].codec_context, b.streams.video[0].codec_context
        assert out_cc.extradata == src_cc.extradata
        assert (out_cc.width, out_cc.height, out_cc.profile) == (640, 360, src_cc.profile)


def audio_data(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)


def test_smart_cut_copies_the_audio_starting_on_the_cut_to_the_sample(gop_clip, tmp_path):
    info = trim(src=gop_clip, dst=tmp_path / "t.mp4", start=0.3, end=1.7)
    samples, rate = audio_samples(info.path)
    assert rate == 48000
    assert abs(samples - 34 / FPS * 48000) <= 1024
    source, out = audio_data(gop_clip), audio_data(info.path)
    cut = 7 * 48000 // FPS  # the first kept frame's time, in samples
    window = slice(1000, 5800)
    aligned = np.abs(out[:, window] - source[:, cut + 1000 : cut + 5800]).mean()
    off_by_a_frame = np.abs(out[:, window] - source[:, cut + 2024 : cut + 6824]).mean()
    assert aligned < 1e-4 < off_by_a_frame  # the same decoded samples, not merely similar


@pytest.mark.parametrize("edge", ["head", "tail"])
def test_an_edge_that_cannot_be_decoded_fails_the_cut_and_leaves_no_output(
    gop_clip, tmp_path, monkeypatch, edge
):
    """The tail is encoded on another thread while the head and the copy are written:
    its failure (or the head's, while the tail runs) still reaches the caller."""
    real = smartcut._encoded_edge

    def failing(path, index, plan, frames, *args):
        if frames is getattr(plan, edge):
            raise CorruptionDetected("A frame at the cut point could not be decoded.")
        yield from real(path, index, plan, frames, *args)

    monkeypatch.setattr(smartcut, "_encoded_edge", failing)
    with pytest.raises(CorruptionDetected, match="cut point"):
        trim(src=gop_clip, dst=tmp_path / "t.mp4", start=0.3, end=1.7)
    assert list(tmp_path.iterdir()) == []


def test_keyframe_trim_widens_to_the_key_frames_and_copies_every_packet(gop_clip, tmp_path):
    # Frame 14 -> back to the IDR at 12; the end (frame 34) -> on to the IDR at 36.
    info = trim(src=gop_clip, dst=tmp_path / "k.mp4", start=0.6, end=1.4, mode="keyframe")
    assert [frame_index(f) for f in rgb_frames(info.path)] == list(range(12, 36))
    source = [p for p in video_packets(gop_clip) if 12 * 512 <= p[0] < 36 * 512]
    shifted = [(pts - 12 * 512, dts - 12 * 512, data, key) for pts, dts, data, key in source]
    assert video_packets(info.path) == shifted
    assert info.duration == pytest.approx(1.0, abs=0.01)


def test_a_window_inside_one_gop_is_reencoded_and_still_exact(gop_clip, tmp_path):
    info = trim(src=gop_clip, dst=tmp_path / "t.mp4", start=0.1, end=0.45)
    assert [frame_index(f) for f in rgb_frames(info.path)] == list(range(2, 10))


def test_an_open_gop_source_is_not_cut_at_its_recovery_points(media_dir, tmp_path):
    # Open-GOP I-frames are flagged as key frames but frames after them may depend on
    # frames before: only IDR frames are cut points, so here the trim re-encodes.
    x264 = {**X264, "x264-params": "open-gop=1"}
    src = make_clip(media_dir / "open.mp4", seconds=2.0, x264=x264)
    keys = [p for p in video_packets(src) if p[3]]
    assert len(keys) > 1
    info = trim(src=src, dst=tmp_path / "t.mp4", start=0.3, end=1.7)
    assert [frame_index(f) for f in rgb_frames(info.path)] == list(range(7, 41))
    copied = {p[2] for p in video_packets(src)} & {p[2] for p in video_packets(info.path)}
    assert not copied


def test_trim_refuses_an_unknown_mode(gop_clip, tmp_path):
    with pytest.raises(MediaValidationError):
        trim(src=gop_clip, dst=tmp_path / "t.mp4", start=0.5, mode="nearest")


def test_mute_copies_the_video_and_has_no_audio_stream(gop_clip, tmp_path):
    info = mute(src=gop_clip, dst=tmp_path / "m.mp4")
    assert not info.has_audio and audio_samples(info.path) is None
    assert video_packets(info.path) == video_packets(gop_clip)
    assert info.duration == pytest.approx(2.0, abs=0.01)


def test_mp4_to_mov_and_back_keeps_every_packet_and_frame(gop_clip, tmp_path):
    mov = transcode(src=gop_clip, dst=tmp_path / "a.mov", container="mov")
    assert mov.container == "mov" and (mov.video_codec, mov.audio_codec) == ("h264", "aac")
    back = transcode(src=mov.path, dst=tmp_path / "b.mp4", container="mp4")
    assert back.container == "mp4"
    assert video_packets(mov.path) == video_packets(gop_clip)
    assert video_packets(back.path) == video_packets(gop_clip)
    frames = rgb_frames(back.path)
    assert all(np.array_equal(a, b) for a, b in zip(frames, rgb_frames(gop_clip), strict=True))
    assert audio_samples(back.path) == audio_samples(gop_clip)


def test_a_webm_target_is_still_reencoded(gop_clip, tmp_path):
    info = transcode(src=gop_clip, dst=tmp_path / "w.webm", container="webm")
    assert (info.video_codec, info.audio_codec) == ("vp9", "opus")


def make_m4a(path: Path, *, seconds: float, rate: int = 44100) -> Path:
    out = av.open(str(path), "w", format="ipod")
    stream = out.add_stream("aac", rate=rate, layout="stereo")
    for start in range(0, round(seconds * rate), 1024):
        t = np.arange(start, start + 1024) / rate
        tone = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
        frame.sample_rate, frame.pts = rate, start
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
    out.close()
    return path


def test_replace_audio_copies_the_video_and_encodes_a_wav_to_the_videos_length(
    gop_clip, long_wav, tmp_path
):
    info = replace_audio(src=gop_clip, audio=long_wav, dst=tmp_path / "r.mp4")
    assert video_packets(info.path) == video_packets(gop_clip)
    samples, rate = audio_samples(info.path)
    assert rate == 48000 and abs(samples - 2.0 * 48000) <= 1024
    assert info.duration == pytest.approx(2.0, abs=0.01)


def test_replace_audio_copies_an_aac_track_as_it_is(gop_clip, tmp_path):
    track = make_m4a(tmp_path / "short.m4a", seconds=1.0)
    info = replace_audio(src=gop_clip, audio=track, dst=tmp_path / "r.mp4")
    assert video_packets(info.path) == video_packets(gop_clip)
    assert audio_samples(info.path) == audio_samples(track)  # 44.1 kHz, every sample
    long = make_m4a(tmp_path / "long.m4a", seconds=3.0)
    cut = replace_audio(src=gop_clip, audio=long, dst=tmp_path / "c.mp4")
    samples, rate = audio_samples(cut.path)
    assert rate == 44100 and abs(samples - 2.0 * 44100) <= 1024  # cut at the video's end


COPY_OPS = {
    "smart cut": lambda c, d, p: trim(src=c, dst=d / "o.mp4", start=0.3, end=1.7, **p),
    "keyframe trim": lambda c, d, p: trim(src=c, dst=d / "o.mp4", start=0.6, mode="keyframe", **p),
    "mute": lambda c, d, p: mute(src=c, dst=d / "o.mp4", **p),
    "remux": lambda c, d, p: transcode(src=c, dst=d / "o.mov", container="mov", **p),
}


@pytest.mark.parametrize("name", COPY_OPS)
def test_copy_paths_report_monotonic_progress_to_100(gop_clip, tmp_path, name):
    seen: list[int] = []
    COPY_OPS[name](gop_clip, tmp_path, {"on_progress": seen.append})
    assert seen[0] == 0 and seen[-1] == 100 and len(seen) > 5
    assert seen == sorted(seen) and len(set(seen)) == len(seen)


@pytest.mark.parametrize("name", COPY_OPS)
def test_copy_paths_stop_when_cancelled_and_leave_no_output(gop_clip, tmp_path, name):
    calls = 0

    def should_cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > 5

    with pytest.raises(Cancelled):
        COPY_OPS[name](gop_clip, tmp_path, {"should_cancel": should_cancel})
    assert calls == 6
    assert list(tmp_path.iterdir()) == []
