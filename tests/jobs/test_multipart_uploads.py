"""Multipart job submits (issue 12, item 4): files stream to disk through the same handler
as /uploads, each capped at the workspace tier's per-file limit, and only
the file parts the endpoint takes are read."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import Tier
from apps.gallery.models import Asset
from apps.jobs.models import Job
from tests.gallery.conftest import MB, StreamedBody, post_streamed, stored_files

FREE_LIMIT = 100 * MB
GENERATE = (
    "/api/v1/generate",
    {"method": "image-to-video", "model": "local/image-to-video", "duration": "2"},
)
PROCESS = ("/api/v1/process", {"operation": "optimize"})


@pytest.fixture(autouse=True)
def upload_tmp(settings, tmp_path) -> Path:
    temp = tmp_path / "upload-tmp"
    temp.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temp)
    return temp


def assert_nothing_kept(upload_tmp: Path, job_storage: Path) -> None:
    assert list(upload_tmp.iterdir()) == []
    assert stored_files(job_storage) == []
    assert not Job.objects.exists()
    assert not Asset.objects.exists()


@pytest.mark.parametrize("endpoint", [GENERATE, PROCESS], ids=["generate", "process"])
def test_a_300_mb_source_file_on_the_free_tier_is_refused_before_the_body_is_read(
    alice, upload_tmp, job_storage, endpoint
):
    path, fields = endpoint
    boundary = "reelsmith-boundary"
    body = StreamedBody(size=300 * MB, boundary=boundary, field="source_file", fields=fields)
    response = post_streamed(alice.api, path, body, boundary)
    assert response.status_code == 413, response.content
    error = response.json()["error"]
    assert error["code"] == "FILE_TOO_LARGE"
    assert error["retryable"] is False
    assert error["details"]["limit_bytes"] == FREE_LIMIT
    assert "100 MB" in error["message"]
    assert body.read_bytes == 0
    assert_nothing_kept(upload_tmp, job_storage)


@pytest.mark.parametrize("endpoint", [GENERATE, PROCESS], ids=["generate", "process"])
def test_a_source_file_one_byte_past_the_tier_limit_stops_at_the_limit(
    alice, upload_tmp, job_storage, endpoint
):
    """The declared length fits the multipart slack, so the handler's byte count refuses
    it while streaming: the body is read no further than limit + slack."""
    limit = 1 * MB
    Tier.objects.filter(name="free").update(max_upload_bytes=limit)
    path, fields = endpoint
    boundary = "reelsmith-boundary"
    body = StreamedBody(size=limit + 1, boundary=boundary, field="source_file", fields=fields)
    response = post_streamed(alice.api, path, body, boundary)
    assert response.status_code == 413, response.content
    assert response.json()["error"]["details"]["limit_bytes"] == limit
    assert limit < body.read_bytes <= limit + 64 * 1024
    assert_nothing_kept(upload_tmp, job_storage)


def test_a_lying_content_length_is_never_read_past(alice, upload_tmp, job_storage):
    """A 300 MB body declared as fitting: reading stops at the declared length."""
    limit = 1 * MB
    Tier.objects.filter(name="free").update(max_upload_bytes=limit)
    path, fields = GENERATE
    boundary = "reelsmith-boundary"
    body = StreamedBody(size=300 * MB, boundary=boundary, field="source_file", fields=fields)
    response = post_streamed(alice.api, path, body, boundary, content_length=limit + 60 * 1024)
    assert response.status_code in (400, 413), response.content
    assert body.read_bytes <= limit + 64 * 1024
    assert_nothing_kept(upload_tmp, job_storage)


@pytest.mark.parametrize(
    ("endpoint", "part"),
    [(GENERATE, "image_file"), (GENERATE, "file"), (PROCESS, "audio_file")],
    ids=["generate-image_file", "generate-file", "process-audio_file"],
)
def test_an_unknown_file_part_is_a_400_naming_it(
    alice, png, upload_tmp, job_storage, endpoint, part
):
    path, fields = endpoint
    response = alice.api.post(
        path,
        {
            **fields,
            "source_file": SimpleUploadedFile("s.png", png.read_bytes()),
            part: SimpleUploadedFile("x.png", png.read_bytes()),
        },
        format="multipart",
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["field"] == part
    assert f"`{part}`" in error["message"]
    assert_nothing_kept(upload_tmp, job_storage)


def test_two_source_file_parts_are_a_400_naming_it(alice, png, upload_tmp, job_storage):
    path, fields = GENERATE
    response = alice.api.post(
        path,
        {
            **fields,
            "source_file": [
                SimpleUploadedFile("a.png", png.read_bytes()),
                SimpleUploadedFile("b.png", png.read_bytes()),
            ],
        },
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["details"]["field"] == "source_file"
    assert_nothing_kept(upload_tmp, job_storage)


def test_an_image_within_the_limit_still_makes_a_job(alice, png, upload_tmp):
    path, fields = GENERATE
    response = alice.api.post(
        path,
        {**fields, "source_file": SimpleUploadedFile("s.png", png.read_bytes())},
        format="multipart",
    )
    assert response.status_code in (200, 202), response.content
    assert list(upload_tmp.iterdir()) == []


def test_the_limit_is_per_file_so_two_files_each_within_it_make_a_job(alice, png, wav, upload_tmp):
    """The tier's limit is per file: a lip-sync image and audio that together exceed it,
    but each fit, are accepted."""
    image, audio = png.read_bytes(), wav.read_bytes()
    limit = max(len(image), len(audio)) + 1
    assert len(image) + len(audio) > limit
    Tier.objects.filter(name="free").update(max_upload_bytes=limit)
    response = alice.api.post(
        "/api/v1/generate",
        {
            "method": "lip-sync",
            "model": "local/lip-sync",
            "resolution": "480p",
            "source_file": SimpleUploadedFile("face.png", image),
            "audio_file": SimpleUploadedFile("voice.wav", audio),
        },
        format="multipart",
    )
    assert response.status_code in (200, 202), response.content
    assert Job.objects.filter(method="lip-sync").count() == 1


def test_a_second_file_past_the_limit_is_refused_after_a_first_that_fits(
    alice, png, wav, upload_tmp, job_storage
):
    image = png.read_bytes()
    limit = len(image) + 1
    Tier.objects.filter(name="free").update(max_upload_bytes=limit)
    response = alice.api.post(
        "/api/v1/generate",
        {
            "method": "lip-sync",
            "model": "local/lip-sync",
            "source_file": SimpleUploadedFile("face.png", image),
            "audio_file": SimpleUploadedFile("voice.wav", b"R" * (limit + 1)),
        },
        format="multipart",
    )
    assert response.status_code == 413, response.content
    assert response.json()["error"]["details"]["limit_bytes"] == limit
    assert_nothing_kept(upload_tmp, job_storage)
