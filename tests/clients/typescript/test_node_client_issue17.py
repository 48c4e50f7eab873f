"""The TypeScript client's issue-17 surface (clients/typescript/test/issue17.test.ts)
against a live server, tasks eager: fallback models while the protocol sandbox keeps
wavespeed in an outage, continuation and the last frame, HLS output and its tier
refusal, the free perk without a key through its capability URL. This test sets up the
workspaces and files, runs that node test file, then checks server-side what it did."""

import json
import os

import pytest

from apps.accounts.models import Tier
from apps.billing import services as billing
from apps.billing.models import CreditAccount
from apps.jobs.models import AnonymousJob, Job
from tests.clients.typescript.test_node_client import NODE, _run, _workspace_key, node_package  # noqa: F401
from tests.gallery.mediafiles import make_mp4, make_png
from tests.providers.conftest import sandbox, sandbox_server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_the_typescript_client_drives_fallbacks_continuation_hls_and_the_free_perk(
    node_package,  # noqa: F811
    sandbox,  # noqa: F811
    alice,
    live_server,
    settings,
    media_storage,
    tmp_path,
):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.ANONYMOUS_FREE_JOBS_PER_DAY = 50
    billing.credits_grant(workspace=alice.workspace, credits=10_000, idempotency_key="ts-i17")
    enterprise_ws, enterprise_key = _workspace_key(
        "enterprise@example.com", Tier.objects.get(name="enterprise"), 1_000
    )
    clip = make_mp4(tmp_path / "clip.mp4", width=640, height=360, seconds=2.0)
    still = make_png(tmp_path / "still.png", width=640, height=360)
    out = tmp_path / "out"
    out.mkdir()
    env = {
        **os.environ,
        "REELSMITH_BASE_URL": live_server.url,
        "RS_TEST_OUT": str(out),
        "RS_I17_KEY": alice.key,
        "RS_I17_ENTERPRISE_KEY": enterprise_key,
        "RS_I17_CLIP": str(clip),
        "RS_I17_STILL": str(still),
    }
    with sandbox.outage("wavespeed"):
        run = _run(
            [
                NODE,
                "--test",
                "--test-concurrency=1",
                "--test-reporter=tap",
                "build/test/issue17.test.js",
            ],
            env=env,
            timeout=900,
        )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-20_000:]
    counts = dict(
        line[2:].split(" ", 1) for line in run.stdout.splitlines() if line.startswith("# ")
        if line[2:].split(" ", 1)[0] in {"tests", "pass", "fail", "skipped", "cancelled"}
    )  # fmt: skip
    print(f"node --test issue17: {counts}")
    assert counts == {"tests": "4", "pass": "4", "fail": "0", "skipped": "0", "cancelled": "0"}

    def job(name: str) -> Job:
        return Job.objects.get(public_id=json.loads((out / name).read_text())["task_id"])

    fallback = job("fallback.json")
    assert (fallback.model, fallback.provider, fallback.status) == (
        "seedance-lite-t2v",
        "fal",
        "completed",
    )
    assert [a["provider"] for a in fallback.attempt_log] == ["wavespeed", "fal"]
    assert CreditAccount.objects.get(workspace=alice.workspace).held == 0

    continued = job("continuation.json")
    assert (continued.method, continued.model) == ("extend-video", "local/image-to-video")
    assert (out / "last-frame.png").read_bytes().startswith(b"\x89PNG")

    hls = job("hls.json")
    assert hls.workspace == enterprise_ws and hls.result_asset.hls_key

    visitor = job("anonymous.json")
    assert AnonymousJob.objects.filter(job=visitor).exists()
    assert visitor.hold is None and visitor.credits_charged == 0
