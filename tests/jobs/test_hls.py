"""HLS output for the tiers in HLS_TIERS (issue 17): tier refusal, the adaptive set, its
one signed token, storage accounting, deletion and tenancy. Jobs run on the local engine
with tasks eager (in-process at commit)."""

import re
import time
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import av
import pytest
from django.core import signing
from django.test import Client

from apps.accounts.models import Tier
from apps.gallery.models import Asset
from apps.jobs.models import Job, JobStatus
from apps.media.ops.hls import ladder
from tests.jobs.conftest import TEXT_JOB

pytestmark = pytest.mark.django_db(transaction=True)

HLS_JOB = {**TEXT_JOB, "duration": 9, "output_format": "hls"}


@pytest.fixture
def enterprise(alice):
    alice.workspace.tier = Tier.objects.get(name="enterprise")
    alice.workspace.save(update_fields=["tier"])
    return alice


def fetch(url: str, client: Client | None = None):
    return (client or Client()).get(urlsplit(url).path)


def read(response) -> bytes:
    return b"".join(response.streaming_content)


def playlist_uris(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def stored_under(root: Path, prefix: str) -> dict[str, int]:
    base = root / prefix
    return {p.name: p.stat().st_size for p in base.iterdir()} if base.is_dir() else {}


@pytest.fixture
def hls_job(enterprise, job_storage) -> dict:
    response = enterprise.api.post("/api/v1/generate", HLS_JOB, format="json")
    assert response.status_code == 202, response.json()
    body = enterprise.api.get(f"/api/v1/tasks/{response.json()['id']}").json()
    assert body["status"] == "completed", body
    return body


@pytest.mark.parametrize("path", ["generate", "process"])
def test_a_tier_not_in_hls_tiers_gets_invalid_format_naming_the_tiers(
    alice, alice_api, settings, mp4, path
):
    settings.HLS_TIERS = ["pro", "enterprise"]
    if path == "generate":
        response = alice_api.post("/api/v1/generate", HLS_JOB, format="json")
    else:
        with mp4.open("rb") as fh:
            response = alice_api.post(
                "/api/v1/process",
                {"operation": "transform", "settings": '{"format": "hls"}', "source_file": fh},
                format="multipart",
            )
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "INVALID_FORMAT"
    assert error["details"]["tiers"] == ["pro", "enterprise"]
    assert "pro, enterprise" in error["message"]
    assert not Job.objects.filter(workspace=alice.workspace).exists()


def test_the_result_is_a_signed_adaptive_master_playlist(hls_job, job_storage):
    result = hls_job["result"]
    assert result["format"] == "hls"
    assert result["video_url"] == result["hls_url"]
    assert re.search(r"/media-signed/hls/[^/]+/master\.m3u8$", result["hls_url"])
    master = fetch(result["hls_url"])
    assert master.status_code == 200
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    text = read(master).decode()
    assert text.startswith("#EXTM3U")
    infs = re.findall(r"#EXT-X-STREAM-INF:BANDWIDTH=(\d+),RESOLUTION=(\d+)x(\d+)", text)
    variants = playlist_uris(text)
    assert 2 <= len(variants) <= 3 and len(infs) == len(variants)
    heights = [int(h) for _, _, h in infs]
    assert heights == sorted(heights, reverse=True) and len(set(heights)) == len(heights)
    base = result["hls_url"].rsplit("/", 1)[0]
    for (_, width, height), variant in zip(infs, variants, strict=True):
        assert "/" not in variant  # relative: resolved under the same signed token
        playlist = fetch(f"{base}/{variant}")
        assert playlist.status_code == 200
        body = read(playlist).decode()
        target = int(re.search(r"#EXT-X-TARGETDURATION:(\d+)", body).group(1))
        assert 3 <= target <= 5
        lengths = [float(x) for x in re.findall(r"#EXTINF:([\d.]+),", body)]
        assert abs(sum(lengths) - 9.0) < 0.2 and max(lengths) <= 4.5
        assert "#EXT-X-ENDLIST" in body
        for segment in playlist_uris(body):
            served = fetch(f"{base}/{segment}")
            assert served.status_code == 200 and served["Content-Type"] == "video/mp2t"
            data = read(served)
            assert data[:1] == b"\x47"  # an MPEG-TS sync byte
        last = job_storage / "probe.ts"
        last.write_bytes(data)
        with av.open(str(last)) as ts:
            video, audio = ts.streams.video[0], ts.streams.audio[0]
            assert (video.width, video.height) == (int(width), int(height))
            assert (video.codec_context.name, audio.codec_context.name) == ("h264", "aac")


def test_storage_counts_every_file_of_the_set(hls_job, enterprise, job_storage):
    asset = Asset.objects.get(public_id=hls_job["result"]["asset"])
    files = stored_under(job_storage, asset.key_prefix)
    hls_bytes = sum(size for name, size in files.items() if name.startswith("hls-"))
    mp4_bytes = (job_storage / asset.storage_key).stat().st_size
    assert len([n for n in files if n.endswith(".ts")]) >= 2 * 3
    assert asset.size_bytes == mp4_bytes + hls_bytes == hls_job["result"]["size_bytes"]
    enterprise.workspace.refresh_from_db()
    assert enterprise.workspace.storage_used_bytes == asset.size_bytes


def test_an_expired_or_tampered_token_is_refused(hls_job):
    url = hls_job["result"]["hls_url"]
    base, _ = url.rsplit("/", 1)
    token = base.rsplit("/", 1)[1]
    with mock.patch("django.core.signing.time.time", return_value=time.time() + 3600):
        assert fetch(url).status_code == 403
        assert fetch(f"{base}/v0.m3u8").status_code == 403
        assert fetch(f"{base}/v0-00000.ts").status_code == 403
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    root = base.rsplit("/", 1)[0]
    assert fetch(f"{root}/{tampered}/master.m3u8").status_code == 404
    # A token signed by us for another purpose (a plain media link) does not open a set.
    other = signing.TimestampSigner(salt="gallery.media-signed").sign_object(
        {"p": "ws/", "t": 900}, compress=True
    )
    assert fetch(f"{root}/{other}/master.m3u8").status_code == 404
    # Only the packager's file names are served, never the MP4 or thumbnail beside them.
    for name in ("thumb.jpg", "..%2Fthumb.jpg", "master.mp4", "v0-1.ts", "x.m3u8"):
        assert fetch(f"{base}/{name}").status_code == 404


def test_another_tenant_cannot_reach_the_set(hls_job, charlie_api):
    job_id, asset_id = hls_job["id"], hls_job["result"]["asset"]
    assert charlie_api.get(f"/api/v1/tasks/{job_id}").status_code == 404
    assert charlie_api.get(f"/api/v1/gallery/{asset_id}").status_code == 404
    assert job_id not in str(charlie_api.get("/api/v1/tasks").json())


def test_deleting_the_asset_deletes_the_set_and_gives_the_bytes_back(
    hls_job, enterprise, job_storage
):
    asset = Asset.objects.get(public_id=hls_job["result"]["asset"])
    assert enterprise.api.delete(f"/api/v1/gallery/{asset.public_id}").status_code == 204
    assert stored_under(job_storage, asset.key_prefix) == {}
    enterprise.workspace.refresh_from_db()
    assert enterprise.workspace.storage_used_bytes == 0
    assert fetch(hls_job["result"]["hls_url"]).status_code == 404


def test_a_transform_to_hls_through_process(enterprise, job_storage, mp4):
    with mp4.open("rb") as fh:
        response = enterprise.api.post(
            "/api/v1/process",
            {"operation": "transform", "settings": '{"format": "hls"}', "source_file": fh},
            format="multipart",
        )
    assert response.status_code == 202, response.json()
    body = enterprise.api.get(f"/api/v1/tasks/{response.json()['id']}").json()
    assert body["status"] == "completed", body
    assert body["params"]["output_format"] == "hls"
    master = read(fetch(body["result"]["hls_url"])).decode()
    assert 2 <= len(playlist_uris(master)) <= 3


def test_an_hls_set_over_the_quota_fails_the_job_and_keeps_nothing(enterprise, job_storage):
    # Room for the MP4 but not for its renditions.
    Tier.objects.filter(name="enterprise").update(storage_quota_bytes=600_000)
    response = enterprise.api.post("/api/v1/generate", HLS_JOB, format="json")
    job = Job.objects.get(public_id=response.json()["id"])
    assert job.status == JobStatus.FAILED
    assert job.error_code == "STORAGE_FULL"
    assert job.credits_charged == 0
    assert not Asset.objects.filter(workspace=enterprise.workspace).exists()
    enterprise.workspace.refresh_from_db()
    assert enterprise.workspace.storage_used_bytes == 0
    assert not any((job_storage / "ws").rglob("hls-*"))


def test_the_ladder_has_two_or_three_rungs_at_or_below_the_source():
    assert [h for _, h, _ in ladder(320, 240)] == [240, 120]
    assert [h for _, h, _ in ladder(1920, 1080)] == [720, 480, 360]
    assert [h for _, h, _ in ladder(854, 480)] == [480, 360]
