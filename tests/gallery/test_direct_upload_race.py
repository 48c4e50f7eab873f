"""Direct-upload PUTs racing for one put_url (issue 12, item 11): real concurrent PUTs
against a live server on PostgreSQL. Exactly one may store the object."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from django.db import connection

from apps.gallery import direct_uploads, services
from apps.gallery.models import Asset, AssetStatus
from tests.gallery.conftest import MB, stored_files
from tests.gallery.mediafiles import pad_mp4
from tests.gallery.test_direct_uploads import DIRECT, put, start

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PUTS = 8


def test_eight_concurrent_puts_to_one_put_url_store_exactly_one_file(
    alice, mp4, tmp_path, local_storage, live_server, settings
):
    video = pad_mp4(mp4, tmp_path / "race2.mp4", total_bytes=4 * MB)
    data = video.read_bytes()
    body = start(alice.api, len(data), filename="race2.mp4").json()
    url = live_server.url + urlsplit(body["put_url"]).path
    ready = threading.Barrier(PUTS)

    def send(_: int) -> httpx.Response:
        ready.wait()
        return httpx.put(url, content=data, headers=body["headers"], timeout=60)

    with ThreadPoolExecutor(max_workers=PUTS) as pool:
        responses = list(pool.map(send, range(PUTS)))
    connection.close()  # the live server's threads used their own connections

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (PUTS - 1), statuses
    for loser in (r for r in responses if r.status_code == 409):
        assert loser.json()["error"]["code"] == "CONFLICT"
    key = Asset.objects.get(public_id=body["upload_id"]).storage_key
    assert stored_files(local_storage) == [key]
    assert (local_storage / key).read_bytes() == data
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == len(data)

    done = alice.api.post(f"{DIRECT}/{body['upload_id']}/complete")
    assert done.status_code == 200, done.json()
    assert done.json()["size_bytes"] == len(data)
    assert [f for f in stored_files(local_storage) if f.endswith(".mp4")] == [key]
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == len(data)


def test_a_put_while_another_holds_the_claim_is_409_and_writes_nothing(alice, mp4, local_storage):
    data = mp4.read_bytes()
    body = start(alice.api, len(data)).json()
    asset = Asset.objects.get(public_id=body["upload_id"])
    direct_uploads.upload_direct_claim(storage_key=asset.storage_key)  # a PUT in progress
    response = put(body["put_url"], data)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"
    assert stored_files(local_storage) == []
    # Completing while the PUT is still running is refused, and changes nothing.
    complete = alice.api.post(f"{DIRECT}/{body['upload_id']}/complete")
    assert complete.status_code == 409
    asset.refresh_from_db()
    assert asset.status == AssetStatus.RECEIVING
    direct_uploads.upload_direct_release(asset=asset)
    assert put(body["put_url"], data).status_code == 200
    assert alice.api.post(f"{DIRECT}/{body['upload_id']}/complete").status_code == 200


def test_a_failed_put_gives_the_claim_back_so_the_client_can_retry(alice, mp4, local_storage):
    data = mp4.read_bytes()
    body = start(alice.api, len(data)).json()
    assert put(body["put_url"], data[:-1]).status_code == 400
    assert stored_files(local_storage) == []
    assert Asset.objects.get(public_id=body["upload_id"]).status == AssetStatus.UPLOADING
    assert put(body["put_url"], data).status_code == 200
    assert put(body["put_url"], data).status_code == 409
    assert len(stored_files(local_storage)) == 1


def test_a_claim_whose_put_died_is_taken_over_after_the_stale_time(
    alice, mp4, local_storage, settings
):
    from datetime import timedelta

    from django.utils import timezone

    data = mp4.read_bytes()
    body = start(alice.api, len(data)).json()
    asset = Asset.objects.get(public_id=body["upload_id"])
    direct_uploads.upload_direct_claim(storage_key=asset.storage_key)  # then the worker died
    assert put(body["put_url"], data).status_code == 409
    old = timezone.now() - timedelta(seconds=settings.GALLERY_STALE_UPLOAD_S + 1)
    Asset.objects.filter(pk=asset.pk).update(updated_at=old)
    assert put(body["put_url"], data).status_code == 200
    assert alice.api.post(f"{DIRECT}/{body['upload_id']}/complete").status_code == 200


def test_the_sweep_abandons_an_expired_upload_stuck_receiving(alice, local_storage, settings):
    from datetime import timedelta

    from django.utils import timezone

    body = start(alice.api, 1000).json()
    asset = Asset.objects.get(public_id=body["upload_id"])
    direct_uploads.upload_direct_claim(storage_key=asset.storage_key)
    later = timezone.now() + timedelta(
        seconds=settings.GALLERY_DIRECT_UPLOAD_TTL_S + 2 * settings.GALLERY_STALE_UPLOAD_S
    )
    assert services.uploads_cleanup_stale(now=later) == 1
    assert not Asset.objects.exists()
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == 0
