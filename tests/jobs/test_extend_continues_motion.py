"""Through the API: the local extend carries the clip's pan on (issue 17) instead of
freezing its last frame."""

import itertools

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.gallery.models import Asset
from tests.media.conftest import rgb_frames
from tests.media.test_extend_motion import FPS, panning_clip, shift

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_local_extend_keeps_panning_where_the_clip_panned(alice_api, job_storage, tmp_path):
    src = panning_clip(tmp_path / "pan.mp4", dx=-3, dy=0, seconds=2.0, size=(480, 270))
    response = alice_api.post(
        "/api/v1/generate",
        {
            "method": "extend-video",
            "model": "local/extend-video",
            "duration": "1",
            "source_file": SimpleUploadedFile("pan.mp4", src.read_bytes()),
        },
        format="multipart",
    )
    assert response.status_code in (200, 202), response.json()
    body = alice_api.get(f"/api/v1/tasks/{response.json()['id']}").json()
    assert body["status"] == "completed", body
    out = job_storage / Asset.objects.get(public_id=body["result"]["asset"]).storage_key
    frames = rgb_frames(out)
    assert len(frames) == 3 * FPS
    tail = frames[2 * FPS - 1 :]
    shifts = [shift(a, b)[0] for a, b in itertools.pairwise(tail)]
    assert shifts[0] == pytest.approx(-3, abs=0.6)
    assert all(s < -0.3 for s in shifts), shifts
    for a, b in itertools.pairwise(tail):
        assert np.abs(a.astype(int) - b.astype(int)).mean() > 0.5
