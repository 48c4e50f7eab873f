"""AsyncReelsmith against the live stack."""

import asyncio

import pytest
from reelsmith import AsyncReelsmith, AsyncVideoGenerationResponse, NotFound, VideoGenerationRequest

from apps.jobs.models import Job
from tests.clients.python import aio
from tests.clients.python.conftest import probe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_the_async_client_generates_two_videos_at_once_and_saves_them(alice, live_stack, tmp_path):
    base = VideoGenerationRequest("A sailboat").with_model("local/text-to-video")
    base = base.with_resolution("480p")
    progress: list[tuple[str, int]] = []

    async def record(response: AsyncVideoGenerationResponse) -> None:
        progress.append((response.task_id, response.progress))

    async def scenario():
        async with AsyncReelsmith(
            api_key=alice.key, base_url=live_stack.url, poll_interval=0.5
        ) as client:
            one, two = await asyncio.gather(
                client.generate_video(base.with_duration(1), timeout=120, on_progress=record),
                client.generate_video(base.with_duration(2), timeout=120),
            )
            data = await one.read()
            saved = await two.save(tmp_path / "two.mp4")
            balance = await client.balance()
            models = await client.models(method="text-to-video")
            estimate = await client.estimate_cost(base.with_duration(2))
            listed = [a.id async for a in client.gallery.list()]
            missing = None
            try:
                await client.poll_video("job_doesnotexist")
            except NotFound as exc:
                missing = exc
            return one, two, data, saved, balance, models, estimate, listed, missing

    one, two, data, saved, balance, models, estimate, listed, missing = aio.run(scenario())
    assert (one.status, two.status) == ("completed", "completed")
    assert data is not None and one.video_bytes is data and len(data) == one.size
    (tmp_path / "one.mp4").write_bytes(data)
    assert probe(tmp_path / "one.mp4")[0] == pytest.approx(1.0, abs=0.2)
    assert probe(saved)[0] == pytest.approx(2.0, abs=0.2)
    assert progress and {task for task, _ in progress} == {one.task_id}
    assert balance.held == 0
    assert "local/text-to-video" in {m.id for m in models}
    assert estimate.model == "local/text-to-video"
    assert {one.asset_id, two.asset_id} <= set(listed)
    assert missing is not None and missing.status == 404
    assert Job.objects.count() == 2


def test_the_async_client_cancels(alice, live_stack):
    async def scenario():
        async with AsyncReelsmith(api_key=alice.key, base_url=live_stack.url) as client:
            request = VideoGenerationRequest("A long pan").with_model("local/text-to-video")
            job = await client.generate_video(
                request.with_duration(60).with_resolution("1080p"), wait=False
            )
            return await client.cancel(job.task_id)

    cancelled = aio.run(scenario())
    assert cancelled.status == "cancelled"
    assert Job.objects.get().status == "cancelled"
