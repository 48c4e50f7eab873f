"""Done when: the spec's (004, llmkit) Python quick start, with `LLMKitClient` replaced by
`Reelsmith` (and the module `llmkit` by `reelsmith`), runs unchanged against the app."""

import subprocess
import sys
import textwrap

import pytest
import requests

from tests.clients.python.conftest import cli_env, probe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

# Verbatim from the spec's "Quick Start / Python", but for the two names.
QUICK_START = textwrap.dedent(
    """\
    from reelsmith import Reelsmith, VideoGenerationRequest

    client = Reelsmith.from_env()

    # Generate a video from a text prompt
    request = VideoGenerationRequest("A serene landscape with mountains")
    response = client.generate_video(request)

    print(f"Video URL: {response.video_url}")
    print(f"Task ID: {response.task_id}")
    print(f"Status: {response.status}")
    """
)

# The spec's "Option 2: Via Raw Bytes", run after the quick start.
SAVE_BYTES = textwrap.dedent(
    """\
    response = client.generate_video(request)
    if response.video_bytes:
        with open("video.mp4", "wb") as f:
            f.write(response.video_bytes)
    """
)


def test_the_specs_python_quick_start_runs_unchanged_and_makes_a_playable_video(
    alice, live_stack, tmp_path
):
    done = subprocess.run(
        [sys.executable, "-c", QUICK_START + SAVE_BYTES],
        env=cli_env(alice.key, live_stack.url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert lines["Status"] == "completed"
    assert lines["Task ID"].startswith("job_")
    # The URL it printed is a working link to the video...
    video = requests.get(lines["Video URL"], timeout=30)
    assert video.status_code == 200
    (tmp_path / "from_url.mp4").write_bytes(video.content)
    duration, width, height, _ = probe(tmp_path / "from_url.mp4")
    # ...of the auto-selected local model's defaults (5 s, 720p, 16:9).
    assert duration == pytest.approx(5.0, abs=0.2)
    assert (width, height) == (1280, 720)
    # And the bytes example saved a playable video too.
    assert probe(tmp_path / "video.mp4")[0] == pytest.approx(5.0, abs=0.2)
