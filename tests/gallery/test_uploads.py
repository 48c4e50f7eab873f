import tracemalloc
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.accounts.models import Tier
from apps.gallery.models import Asset
from tests.gallery.conftest import MB, StreamedBody, post_streamed, stored_files

UPLOADS = "/api/v1/uploads"
FREE_LIMIT = 100 * MB


def upload(api, path: Path, name: str | None = None, **extra):
    with path.open("rb") as fh:
        return (
            api.post(UPLOADS, {"file": fh, **extra}, format="multipart")
            if name is None
            else (
                api.post(
                    UPLOADS,
                    {"file": SimpleUploadedFile(name, path.read_bytes()), **extra},
                    format="multipart",
                )
            )
        )


@pytest.mark.isolation("api:uploads")
def test_an_mp4_upload_returns_the_probed_asset(alice, charlie_api, mp4, local_storage):
    response = upload(alice.api, mp4)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"].startswith("ast_")
    assert body["kind"] == "video"
    assert body["content_type"] == "video/mp4"
    assert body["size_bytes"] == mp4.stat().st_size
    assert body["duration"] == pytest.approx(1.0, abs=0.1)
    assert (body["width"], body["height"]) == (640, 360)
    assert body["video_codec"] == "h264"
    assert body["thumbnail_url"].startswith("http://testserver/media-signed/")
    assert body["url"].startswith("http://testserver/media-signed/")
    assert body["saved"] is False

    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == mp4.stat().st_size
    prefix = f"ws/{alice.workspace.public_id}/assets/{body['id']}/"
    assert stored_files(local_storage) == [prefix + "clip.mp4", prefix + "thumb.jpg"]
    # The uploader's workspace only: charlie cannot see what alice uploaded.
    assert charlie_api.get(f"/api/v1/gallery/{body['id']}").status_code == 404
    assert charlie_api.get("/api/v1/gallery").json()["results"] == []


def test_images_and_audio_are_accepted_with_their_kind(alice_api, png, wav):
    image = upload(alice_api, png).json()
    assert (image["kind"], image["content_type"], image["width"], image["height"]) == (
        "image",
        "image/png",
        320,
        200,
    )
    assert image["thumbnail_url"]
    audio = upload(alice_api, wav).json()
    assert (audio["kind"], audio["content_type"], audio["thumbnail_url"]) == (
        "audio",
        "audio/wav",
        None,
    )
    assert audio["duration"] == pytest.approx(1.0, abs=0.05)


def test_a_file_that_is_not_media_is_refused_and_nothing_is_kept(
    alice, tmp_path, local_storage, settings
):
    fake = tmp_path / "notes.mp4"
    fake.write_bytes(b"this is just text pretending to be a video\n" * 100)
    response = upload(alice.api, fake)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "UNSUPPORTED_FORMAT"
    assert stored_files(local_storage) == []
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == 0
    assert not Asset.objects.exists()


def test_a_truncated_video_is_refused_as_corrupt(alice_api, mp4, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(mp4.read_bytes()[: mp4.stat().st_size // 2])
    response = upload(alice_api, broken)
    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("CORRUPTION_DETECTED", "UNSUPPORTED_FORMAT")


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(alice):
    boundary = "reelsmith-boundary"
    body = StreamedBody(size=FREE_LIMIT + MB, boundary=boundary)
    response = post_streamed(alice.api, UPLOADS, body, boundary)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "FILE_TOO_LARGE"
    assert error["details"]["limit_bytes"] == FREE_LIMIT
    assert "100 MB" in error["message"]
    assert body.read_bytes == 0


def test_a_file_one_byte_over_the_free_limit_is_refused_without_buffering_it(
    alice, settings, local_storage
):
    """The declared length is within the multipart slack, so the refusal happens while
    streaming: memory stays far below the file size and no temp file survives."""
    boundary = "reelsmith-boundary"
    body = StreamedBody(size=FREE_LIMIT + 1, boundary=boundary)
    tracemalloc.start()
    try:
        response = post_streamed(
            alice.api, UPLOADS, body, boundary, content_length=FREE_LIMIT + 1000
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "FILE_TOO_LARGE"
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB while streaming a 100 MB file"
    # The bytes were streamed (and counted) up to the limit, not refused from the header.
    assert body.read_bytes > FREE_LIMIT
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []
    assert stored_files(local_storage) == []
    assert not Asset.objects.exists()


def test_a_file_exactly_at_the_limit_streams_through_with_flat_memory(alice, mp4, settings):
    """A valid 100 MB MP4 (real clip + padding) is accepted; memory stays flat."""
    from tests.gallery.mediafiles import pad_mp4

    big = pad_mp4(
        mp4, Path(settings.FILE_UPLOAD_TEMP_DIR).parent / "big.mp4", total_bytes=FREE_LIMIT
    )
    boundary = "reelsmith-boundary"
    body = StreamedBody(source=big, boundary=boundary)
    tracemalloc.start()
    try:
        response = post_streamed(alice.api, UPLOADS, body, boundary)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 201, response.json()
    assert response.json()["size_bytes"] == FREE_LIMIT
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB while storing a 100 MB file"
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []


def test_over_quota_is_refused_with_507_and_the_numbers(alice, mp4, local_storage):
    tier = Tier.objects.get(name="free")
    tier.storage_quota_bytes = mp4.stat().st_size + 10
    tier.save()
    assert upload(alice.api, mp4).status_code == 201
    response = upload(alice.api, mp4)
    assert response.status_code == 507
    error = response.json()["error"]
    assert error["code"] == "STORAGE_FULL"
    assert error["details"]["used_bytes"] == mp4.stat().st_size
    assert error["details"]["quota_bytes"] == mp4.stat().st_size + 10
    assert len([f for f in stored_files(local_storage) if f.endswith(".mp4")]) == 1


def test_a_hostile_file_name_cannot_leave_the_workspace_prefix(alice, mp4, local_storage):
    for name in ("../../x", "..\\..\\evil.mp4", "/etc/passwd", ".hidden", "a/../../b.mp4"):
        response = upload(alice.api, mp4, name=name)
        assert response.status_code == 201, (name, response.json())
    prefix = f"ws/{alice.workspace.public_id}/assets/"
    files = stored_files(local_storage)
    assert len(files) == 10
    assert all(f.startswith(prefix) and ".." not in f.split("/") for f in files), files
    for asset in Asset.objects.all():
        assert asset.storage_key.startswith(prefix + asset.public_id + "/")
        assert "/" not in asset.original_name and not asset.original_name.startswith(".")


def test_a_request_without_a_file_is_a_validation_error(alice_api):
    response = alice_api.post(UPLOADS, {"title": "nothing"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_anonymous_uploads_are_refused(anon_api, mp4):
    assert upload(anon_api, mp4).status_code == 401


def test_a_logged_in_browser_uploads_with_the_csrf_header(alice, mp4):
    """The dashboard widget: session auth, whose CSRF check parses the form early."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice.user)
    client.get("/gallery/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    with mp4.open("rb") as fh:
        refused = client.post(UPLOADS, {"file": fh}, format="multipart")
    assert refused.status_code == 403
    with mp4.open("rb") as fh:
        response = client.post(UPLOADS, {"file": fh}, format="multipart", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.json()


def test_a_logged_in_browser_is_refused_early_too(alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice.user)
    client.get("/gallery/")
    boundary = "b"
    body = StreamedBody(size=FREE_LIMIT * 2, boundary=boundary)
    response = client.generic(
        "POST",
        UPLOADS,
        data=b"",
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.length)},
    )
    assert response.status_code == 413
    assert body.read_bytes == 0


def test_saved_true_keeps_the_upload(alice_api, png):
    body = upload(alice_api, png, saved="true").json()
    assert body["saved"] is True
    assert body["expires_at"] is None


# --- file parts other than one `file` (issue 12, item 3) ----------------------------------


def _post_parts(api, parts: list[tuple[str, str, bytes]]):
    """A multipart body of file parts (name, filename, bytes) in exactly this order."""
    boundary = "reelsmith-parts"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
        f"\r\nContent-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
        for name, filename, data in parts
    )
    body += f"--{boundary}--\r\n".encode()
    return api.generic(
        "POST", UPLOADS, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _assert_nothing_kept(alice, local_storage, settings):
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []
    assert stored_files(local_storage) == []
    assert not Asset.objects.exists()
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == 0


@pytest.mark.parametrize(
    "order",
    [
        ["file", "thumbnail"],  # `file` first: its temp file used to be deleted under the view
        ["thumbnail", "file"],
        ["thumbnail"],  # only another part
    ],
)
def test_an_extra_file_part_is_a_400_naming_it_and_nothing_is_kept(
    alice, mp4, local_storage, settings, order
):
    data = mp4.read_bytes()
    response = _post_parts(alice.api, [(name, f"{name}.mp4", data) for name in order])
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["retryable"] is False
    assert error["details"]["field"] == "thumbnail"
    assert "thumbnail" in error["details"]["fields"]
    assert "`thumbnail`" in error["message"]
    _assert_nothing_kept(alice, local_storage, settings)


def test_two_file_parts_are_a_400_naming_file_and_nothing_is_kept(
    alice, mp4, local_storage, settings
):
    data = mp4.read_bytes()
    response = _post_parts(alice.api, [("file", "a.mp4", data), ("file", "b.mp4", data)])
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["field"] == "file"
    assert "at most one" in error["message"]
    _assert_nothing_kept(alice, local_storage, settings)


def test_an_extra_file_part_from_a_logged_in_browser_is_a_400_too(
    alice, mp4, local_storage, settings
):
    """Session auth parses the body during the CSRF check, before the view runs."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice.user)
    client.get("/gallery/")
    with mp4.open("rb") as a, mp4.open("rb") as b:
        response = client.post(
            UPLOADS,
            {"file": a, "extra": b},
            format="multipart",
            HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
        )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["details"]["field"] == "extra"
    _assert_nothing_kept(alice, local_storage, settings)
