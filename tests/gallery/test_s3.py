"""The S3 backend against a moto server started by the tests."""

import httpx
import pytest

from apps.gallery.models import Asset
from tests.gallery.conftest import BUCKET, s3_keys

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def upload(api, path, name=None):
    with path.open("rb") as fh:
        data = {"file": fh}
        response = api.post("/api/v1/uploads", data, format="multipart")
    assert response.status_code == 201, response.json()
    return response.json()


def test_uploads_land_private_encrypted_and_under_the_workspace_prefix(alice, s3, mp4):
    asset = upload(alice.api, mp4)
    prefix = f"ws/{alice.workspace.public_id}/assets/{asset['id']}/"
    assert s3_keys(s3) == [prefix + "clip.mp4", prefix + "thumb.jpg"]
    for key in s3_keys(s3):
        head = s3.head_object(Bucket=BUCKET, Key=key)
        assert head["ServerSideEncryption"] == "AES256"
        grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        assert all(g["Grantee"].get("URI") != ALL_USERS for g in grants)
    assert s3.head_object(Bucket=BUCKET, Key=prefix + "clip.mp4")["ContentType"] == "video/mp4"


def test_presigned_downloads_work_with_range_and_carry_the_expiry(alice, s3, mp4, moto_endpoint):
    asset = upload(alice.api, mp4)
    assert asset["url"].startswith(moto_endpoint)
    assert "X-Amz-Expires=900" in asset["url"]
    data = mp4.read_bytes()
    full = httpx.get(asset["url"])
    assert full.status_code == 200
    assert full.content == data
    part = httpx.get(asset["url"], headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == data[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(data)}"


def test_a_hostile_name_stays_under_the_prefix_on_s3(alice, s3, mp4):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = alice.api.post(
        "/api/v1/uploads",
        {"file": SimpleUploadedFile("../../../escape.mp4", mp4.read_bytes())},
        format="multipart",
    )
    assert response.status_code == 201
    assert all(k.startswith(f"ws/{alice.workspace.public_id}/assets/") for k in s3_keys(s3))


def test_direct_upload_init_put_complete(alice, charlie_api, s3, mp4):
    data = mp4.read_bytes()
    started = alice.api.post(
        "/api/v1/uploads/direct",
        {"filename": "big clip.mp4", "size_bytes": len(data), "content_type": "video/mp4"},
        format="json",
    )
    assert started.status_code == 201, started.json()
    body = started.json()
    assert body["headers"]["x-amz-server-side-encryption"] == "AES256"
    put = httpx.put(body["put_url"], content=data, headers=body["headers"])
    assert put.status_code == 200, put.text
    complete = f"/api/v1/uploads/direct/{body['upload_id']}/complete"
    assert charlie_api.post(complete).status_code == 404
    done = alice.api.post(complete)
    assert done.status_code == 200, done.json()
    asset = done.json()
    assert (asset["kind"], asset["size_bytes"], asset["width"]) == ("video", len(data), 640)
    key = Asset.objects.get(public_id=asset["id"]).storage_key
    assert key == f"ws/{alice.workspace.public_id}/assets/{asset['id']}/big_clip.mp4"
    assert s3.head_object(Bucket=BUCKET, Key=key)["ServerSideEncryption"] == "AES256"
    assert asset["thumbnail_url"]


def test_direct_upload_of_the_wrong_size_is_discarded(alice, s3, mp4):
    data = mp4.read_bytes()
    body = alice.api.post(
        "/api/v1/uploads/direct",
        {"filename": "a.mp4", "size_bytes": len(data) + 100, "content_type": "video/mp4"},
        format="json",
    ).json()
    assert httpx.put(body["put_url"], content=data, headers=body["headers"]).status_code == 200
    response = alice.api.post(f"/api/v1/uploads/direct/{body['upload_id']}/complete")
    assert response.status_code == 400
    assert s3_keys(s3) == []
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == 0


@pytest.mark.usefixtures("s3")
def test_deleting_on_s3_removes_the_objects(alice, s3, png, django_capture_on_commit_callbacks):
    asset = upload(alice.api, png)
    with django_capture_on_commit_callbacks(execute=True):
        assert alice.api.delete(f"/api/v1/gallery/{asset['id']}").status_code == 204
    assert s3_keys(s3) == []


def test_a_presigned_put_stores_once_and_nothing_replaces_the_object(alice, s3, mp4):
    """If-None-Match: * is signed into the URL: a second PUT (a racing or late client)
    gets 412 and cannot swap the object, before or after complete validated it."""
    data = mp4.read_bytes()
    started = alice.api.post(
        "/api/v1/uploads/direct",
        {"filename": "race2.mp4", "size_bytes": len(data), "content_type": "video/mp4"},
        format="json",
    ).json()
    assert started["headers"]["If-None-Match"] == "*"
    url, headers = started["put_url"], started["headers"]
    assert httpx.put(url, content=data, headers=headers).status_code == 200
    other = b"\0" * len(data)
    assert httpx.put(url, content=other, headers=headers).status_code == 412
    key = Asset.objects.get(public_id=started["upload_id"]).storage_key
    prefix = key.rsplit("/", 1)[0] + "/"
    assert [k for k in s3_keys(s3) if k.startswith(prefix)] == [key]
    done = alice.api.post(f"/api/v1/uploads/direct/{started['upload_id']}/complete")
    assert done.status_code == 200, done.json()
    assert httpx.put(url, content=other, headers=headers).status_code == 412
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == data
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == len(data)
