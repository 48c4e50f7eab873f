from pathlib import Path

import pytest

from apps.media import (
    Cancelled,
    concat,
    extend,
    image_to_video,
    sprite_sheet,
    text_to_video,
    transcode,
    trim,
)

OPERATIONS = {
    "transcode": lambda d, c, p: transcode(src=c, dst=d / "o.mp4", **p),
    "trim": lambda d, c, p: trim(src=c, dst=d / "o.mp4", start=0.2, end=1.8, **p),
    "concat": lambda d, c, p: concat(clips=[c, c], dst=d / "o.mp4", crossfade=0.5, **p),
    "extend": lambda d, c, p: extend(src=c, dst=d / "o.mp4", seconds=1, mode="boomerang", **p),
    "text_to_video": lambda d, c, p: text_to_video(
        dst=d / "o.mp4", prompt="progress", duration=1, resolution="480p", **p
    ),
    "sprite_sheet": lambda d, c, p: sprite_sheet(src=c, dst=d / "o.jpg", **p),
}


@pytest.mark.parametrize("name", OPERATIONS)
def test_progress_is_monotonic_and_reaches_100(clip, tmp_path, name):
    seen: list[int] = []
    OPERATIONS[name](tmp_path, clip, {"on_progress": seen.append})
    assert seen[0] == 0 and seen[-1] == 100
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    assert all(0 <= p <= 100 for p in seen)


@pytest.mark.parametrize("name", OPERATIONS)
def test_cancel_stops_promptly_and_leaves_no_output(clip, tmp_path, name):
    calls = 0

    def should_cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > 5

    with pytest.raises(Cancelled) as err:
        OPERATIONS[name](tmp_path, clip, {"should_cancel": should_cancel})
    assert err.value.code == "CANCELLED"
    assert calls == 6  # stopped at the first check that said so
    assert list(tmp_path.iterdir()) == []


def test_an_error_midway_removes_the_partial_output(photo, tmp_path):
    def explode(percent: int) -> None:
        if percent >= 50:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        image_to_video(src=photo, dst=tmp_path / "o.mp4", duration=1, on_progress=explode)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_operation_keeps_an_existing_output_untouched(clip, tmp_path):
    dst = Path(tmp_path / "o.mp4")
    dst.write_bytes(b"previous result")
    with pytest.raises(Cancelled):
        transcode(src=clip, dst=dst, should_cancel=lambda: True)
    assert dst.read_bytes() == b"previous result"
