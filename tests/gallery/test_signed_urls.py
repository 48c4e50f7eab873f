import time
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client

from apps.gallery import storage


def upload(api, path):
    with path.open("rb") as fh:
        response = api.post("/api/v1/uploads", {"file": fh}, format="multipart")
    assert response.status_code == 201
    return response.json()


def path_of(url: str) -> str:
    return urlsplit(url).path


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_urls_are_absolute_on_the_public_base_url(alice_api, mp4, settings):
    settings.PUBLIC_BASE_URL = "https://studio.example.com"
    asset = upload(alice_api, mp4)
    assert asset["url"].startswith("https://studio.example.com/media-signed/")
    assert asset["thumbnail_url"].startswith("https://studio.example.com/media-signed/")


def test_a_signed_url_serves_the_file_to_anyone_holding_it(alice_api, mp4):
    asset = upload(alice_api, mp4)
    response = Client().get(path_of(asset["url"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Disposition"].startswith("inline;")
    assert body_of(response) == mp4.read_bytes()
    download = Client().get(path_of(asset["download_url"]))
    assert download["Content-Disposition"].startswith('attachment; filename="clip.mp4"')


def test_a_range_request_gets_206_with_content_range(alice_api, mp4):
    asset = upload(alice_api, mp4)
    data = mp4.read_bytes()
    url = path_of(asset["url"])
    response = Client().get(url, HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert response["Content-Length"] == "100"
    assert body_of(response) == data[100:200]
    tail = Client().get(url, HTTP_RANGE="bytes=-10")
    assert (tail.status_code, body_of(tail)) == (206, data[-10:])
    open_ended = Client().get(url, HTTP_RANGE=f"bytes={len(data) - 5}-")
    assert body_of(open_ended) == data[-5:]
    head = Client().head(url, HTTP_RANGE="bytes=0-0")
    assert (head.status_code, head["Content-Length"]) == (206, "1")


def test_an_unsatisfiable_range_gets_416(alice_api, mp4):
    asset = upload(alice_api, mp4)
    size = mp4.stat().st_size
    response = Client().get(path_of(asset["url"]), HTTP_RANGE=f"bytes={size}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


def test_signed_urls_carry_their_expiry_and_fail_after_it(alice, mp4, monkeypatch):
    asset = upload(alice.api, mp4)
    from apps.gallery.models import Asset

    key = Asset.objects.get(public_id=asset["id"]).storage_key
    url = path_of(storage.signed_url(key, expires_in=60))
    token = url.rsplit("/", 1)[-1]
    assert storage.unsign_token(token)["t"] == 60
    assert Client().get(url).status_code == 200
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 59)
    assert Client().get(url).status_code == 200
    monkeypatch.setattr(signing.time, "time", lambda: now + 61)
    expired = Client().get(url)
    assert expired.status_code == 403
    assert b"expired" in expired.content


def test_a_tampered_token_is_404(alice_api, mp4):
    asset = upload(alice_api, mp4)
    url = path_of(asset["url"])
    assert Client().get(url[:-3] + "abc").status_code == 404
    assert Client().get("/media-signed/not-a-token").status_code == 404


def test_a_deleted_assets_url_stops_working(alice_api, mp4, django_capture_on_commit_callbacks):
    asset = upload(alice_api, mp4)
    with django_capture_on_commit_callbacks(execute=True):
        alice_api.delete(f"/api/v1/gallery/{asset['id']}")
    assert Client().get(path_of(asset["url"])).status_code == 404


@pytest.mark.parametrize("ttl", [1, 900, 3600])
def test_the_token_records_the_ttl_asked_for(ttl):
    token = path_of(storage.signed_url("ws/ws_x/assets/ast_x/a.mp4", expires_in=ttl)).rsplit(
        "/", 1
    )[-1]
    assert storage.unsign_token(token)["t"] == ttl
