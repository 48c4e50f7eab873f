"""The quota under real contention (PostgreSQL). Each worker thread has its own database
connection and closes it when done."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Sum

from apps.accounts.models import Workspace
from apps.core.errors import ApplicationError
from apps.gallery import quota, services
from apps.gallery.models import Asset
from tests.gallery.conftest import MB, StreamedBody, post_streamed, stored_files
from tests.gallery.mediafiles import pad_mp4

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


def test_ten_concurrent_60_mb_uploads_into_500_mb_keep_at_most_8(
    alice, mp4, tmp_path, local_storage
):
    sources = [pad_mp4(mp4, tmp_path / f"src{i}.mp4", total_bytes=60 * MB) for i in range(10)]

    @in_thread
    def store(path: Path) -> str:
        try:
            services.asset_create_from_file(
                workspace=Workspace.objects.get(pk=alice.workspace.pk),
                owner=alice.user,
                path=path,
                move=True,
            )
        except ApplicationError as exc:
            return exc.code
        return "ok"

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(store, sources))

    assert results.count("ok") <= 8
    assert results.count("ok") + results.count("STORAGE_FULL") == 10
    alice.workspace.refresh_from_db()
    kept = Asset.objects.filter(workspace=alice.workspace)
    assert kept.count() == results.count("ok")
    assert alice.workspace.storage_used_bytes == kept.aggregate(s=Sum("size_bytes"))["s"]
    on_disk = sum(
        (local_storage / f).stat().st_size
        for f in stored_files(local_storage)
        if f.endswith(".mp4")
    )
    assert on_disk == alice.workspace.storage_used_bytes <= 500 * MB
    assert quota.storage_recount(workspace=alice.workspace) == 0


def test_concurrent_http_uploads_never_overshoot_the_quota(alice, mp4, tmp_path):
    from apps.accounts.models import Tier

    size = 40 * MB
    Tier.objects.filter(name="free").update(storage_quota_bytes=3 * size + MB)
    big = pad_mp4(mp4, tmp_path / "big.mp4", total_bytes=size)
    boundary = "concurrent"

    @in_thread
    def send(_: int) -> int:
        body = StreamedBody(source=big, boundary=boundary)
        return post_streamed(alice.api, "/api/v1/uploads", body, boundary).status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(send, range(5)))
    assert sorted(statuses) == [201, 201, 201, 507, 507]
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == 3 * size


def test_a_hundred_concurrent_reservations_fill_the_quota_exactly(alice):
    @in_thread
    def reserve(_: int) -> bool:
        try:
            quota.storage_reserve(
                workspace=Workspace.objects.get(pk=alice.workspace.pk), size_bytes=20 * MB
            )
        except ApplicationError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        granted = sum(pool.map(reserve, range(100)))
    assert granted == 25
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == 500 * MB
