"""The local provider's edit and convert plans reach the engine's stream-copy paths."""

import av
import pytest

from apps.providers.base import JobInput, JobSpec
from apps.providers.local import LocalProvider
from tests.media.conftest import frame_index, make_clip, rgb_frames

X264 = {"preset": "veryfast", "crf": "18", "g": "12", "keyint_min": "12", "sc_threshold": "0"}


@pytest.fixture
def source(tmp_path):
    return make_clip(tmp_path / "gop.mp4", seconds=2.0, x264=X264)


def run(source, tmp_path, model: str, params: dict):
    spec = JobSpec(
        job_id="job_test",
        model_id=f"local/{model}",
        provider_model=model,
        method=model,
        prompt="",
        params=params,
        inputs={"video": JobInput(role="video", path=source)},
    )
    work = tmp_path / "work"
    work.mkdir()
    seen: list[int] = []
    out = LocalProvider().run(
        spec,
        workdir=work,
        on_progress=lambda pct, stage: seen.append(pct),
        should_cancel=lambda: False,
    )
    assert seen[-1] == 100 and seen == sorted(seen)
    return out


def video_packets(path):
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(container.streams.video[0]) if p.size]


def test_an_edit_trim_in_keyframe_mode_copies_whole_gops(source, tmp_path):
    params = {"trim_start": 0.6, "trim_end": 1.4, "trim_mode": "keyframe"}
    out = run(source, tmp_path, "edit", params)
    assert [frame_index(f) for f in rgb_frames(out)] == list(range(12, 36))
    assert video_packets(out) == video_packets(source)[12:36]


def test_an_edit_trim_is_frame_accurate_by_default(source, tmp_path):
    out = run(source, tmp_path, "edit", {"trim_start": 0.3, "trim_end": 1.7, "mute": True})
    assert [frame_index(f) for f in rgb_frames(out)] == list(range(7, 41))
    with av.open(str(out)) as container:
        assert not container.streams.audio


def test_a_transform_to_mov_is_a_remux(source, tmp_path):
    out = run(source, tmp_path, "transform", {"output_format": "mov"})
    assert out.suffix == ".mov"
    assert video_packets(out) == video_packets(source)
