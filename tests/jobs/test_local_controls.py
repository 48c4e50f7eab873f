"""The local engine takes camera_motion, motion_strength and fps natively: through
POST /api/v1/generate they shape the delivered clip (a static camera holds the frame, a
pan moves it), and a control it does not take is refused before anything runs."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.gallery.models import Asset
from apps.jobs.models import Job, JobStatus
from tests.media.conftest import rgb_frames

pytestmark = pytest.mark.django_db(transaction=True)


def run(alice_api, job_storage, png, **controls):
    response = alice_api.post(
        "/api/v1/generate",
        {
            "model": "local/image-to-video",
            "duration": "1",
            "resolution": "480p",
            "source_file": SimpleUploadedFile("still.png", png.read_bytes()),
            **controls,
        },
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    job = Job.objects.get(public_id=response.json()["id"])
    assert job.status == JobStatus.COMPLETED, (job.error_code, job.error_message)
    frames = rgb_frames(job_storage / Asset.objects.get(pk=job.result_asset_id).storage_key)
    return job, frames


def change(frames) -> float:
    return float(np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean())


def test_static_holds_the_frame_and_a_pan_moves_it(alice_api, job_storage, png):
    job, still = run(alice_api, job_storage, png, camera_motion="static", fps="24")
    assert (job.params["camera_motion"], job.params["fps"]) == ("static", 24)
    assert len(still) == 24 and change(still) < 1.0
    job, panned = run(
        alice_api, job_storage, png, camera_motion="pan_left", motion_strength="1", fps="30"
    )
    assert job.params["motion_strength"] == 1.0 and len(panned) == 30
    assert change(panned) > 5 * max(change(still), 0.5)


def test_a_control_the_local_extend_does_not_take_is_refused(alice_api, mp4):
    response = alice_api.post(
        "/api/v1/generate",
        {
            "method": "extend-video",
            "model": "local/extend-video",
            "camera_motion": "zoom",
            "source_file": SimpleUploadedFile("clip.mp4", mp4.read_bytes()),
        },
        format="multipart",
    )
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert details["problems"][0]["field"] == "camera_motion"
    assert "seedance-v1.5-pro" in " ".join(details["supported_models"]["camera_motion"])
    assert not Job.objects.exists()
