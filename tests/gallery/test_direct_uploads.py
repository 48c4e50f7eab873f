"""Direct uploads on local disk (our own signed PUT URL); the S3 flow is in test_s3.py."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from apps.gallery.models import Asset
from tests.gallery.conftest import MB, stored_files

DIRECT = "/api/v1/uploads/direct"


def start(api, size: int, filename: str = "big.mp4"):
    return api.post(DIRECT, {"filename": filename, "size_bytes": size}, format="json")


def put(url: str, data: bytes):
    return Client().generic(
        "PUT", urlsplit(url).path, data=data, content_type="application/octet-stream"
    )


@pytest.mark.isolation("api:uploads-direct", "api:uploads-direct-complete")
def test_init_put_complete_on_local_disk(alice, charlie_api, mp4, local_storage):
    data = mp4.read_bytes()
    started = start(alice.api, len(data))
    assert started.status_code == 201, started.json()
    body = started.json()
    assert body["upload_id"].startswith("ast_")
    assert body["put_url"].startswith("http://testserver/media-signed/put/")
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == len(data)  # reserved up front
    # Not visible until complete; charlie cannot complete or see it.
    assert alice.api.get(f"/api/v1/gallery/{body['upload_id']}").status_code == 404
    complete_url = f"{DIRECT}/{body['upload_id']}/complete"
    assert alice.api.post(complete_url).status_code == 409  # nothing PUT yet
    assert put(body["put_url"], data).status_code == 200
    assert put(body["put_url"], data).status_code == 409  # never overwritten
    assert charlie_api.post(complete_url).status_code == 404
    done = alice.api.post(complete_url)
    assert done.status_code == 200, done.json()
    asset = done.json()
    assert (asset["id"], asset["kind"], asset["size_bytes"]) == (
        body["upload_id"],
        "video",
        len(data),
    )
    assert asset["thumbnail_url"]
    assert alice.api.post(complete_url).json()["id"] == asset["id"]  # idempotent
    assert charlie_api.get(f"/api/v1/gallery/{asset['id']}").status_code == 404


def test_a_put_of_the_wrong_size_is_refused(alice_api, mp4, local_storage):
    body = start(alice_api, 1000).json()
    assert put(body["put_url"], b"x" * 999).status_code == 400
    assert stored_files(local_storage) == []


def test_completing_an_unsupported_file_deletes_it_and_frees_the_space(alice, local_storage):
    data = b"not a video at all" * 100
    body = start(alice.api, len(data)).json()
    assert put(body["put_url"], data).status_code == 200
    response = alice.api.post(f"{DIRECT}/{body['upload_id']}/complete")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "UNSUPPORTED_FORMAT"
    assert stored_files(local_storage) == []
    assert not Asset.objects.exists()
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == 0


def test_direct_uploads_respect_the_file_limit_and_the_quota(alice):
    too_big = start(alice.api, 100 * MB + 1)
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "FILE_TOO_LARGE"
    assert start(alice.api, 90 * MB).status_code == 201
    for _ in range(4):
        start(alice.api, 90 * MB)
    full = start(alice.api, 90 * MB)
    assert full.status_code == 507
    assert full.json()["error"]["details"]["quota_bytes"] == 500 * MB


def test_an_expired_put_url_is_refused(alice_api, monkeypatch, settings):
    settings.GALLERY_DIRECT_UPLOAD_TTL_S = 5
    body = start(alice_api, 10).json()
    import time

    from django.core import signing

    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 6)
    assert put(body["put_url"], b"0123456789").status_code == 403
