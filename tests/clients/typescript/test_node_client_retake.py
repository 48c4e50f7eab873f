"""The TypeScript client's retake (clients/typescript/test/retake.test.ts) against a live
server, tasks eager, WaveSpeed on the protocol sandbox: ProcessRequest's `prompt` (option
and withPrompt) reaches the server as the job's prompt and the provider's; a local
operation given one is refused by name. This test sets up the workspace and the source
clip, runs that node test file, then checks server-side what it did."""

import json
import os

import pytest

from apps.billing import services as billing
from apps.jobs.models import Job
from tests.clients.typescript.test_node_client import NODE, _run, node_package  # noqa: F401
from tests.gallery.mediafiles import make_mp4
from tests.providers.conftest import sandbox, sandbox_server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

RETAKE = "lightricks/ltx-2-retake"


def test_the_typescript_client_sends_a_retakes_prompt(
    node_package,  # noqa: F811
    sandbox,  # noqa: F811
    alice,
    live_server,
    settings,
    media_storage,
    tmp_path,
):
    settings.PUBLIC_BASE_URL = live_server.url
    billing.credits_grant(workspace=alice.workspace, credits=10_000, idempotency_key="ts-rt")
    clip = make_mp4(tmp_path / "take.mp4", width=640, height=360, seconds=6.0)
    out = tmp_path / "out"
    out.mkdir()
    env = {
        **os.environ,
        "REELSMITH_BASE_URL": live_server.url,
        "RS_TEST_OUT": str(out),
        "RS_RETAKE_KEY": alice.key,
        "RS_RETAKE_CLIP": str(clip),
    }
    since = len(sandbox.received)
    run = _run(
        [
            NODE,
            "--test",
            "--test-concurrency=1",
            "--test-reporter=tap",
            "build/test/retake.test.js",
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
    assert counts == {"tests": "3", "pass": "3", "fail": "0", "skipped": "0", "cancelled": "0"}

    retakes = []
    for name in ("retake-option.json", "retake-builder.json"):
        noted = json.loads((out / name).read_text())
        job = Job.objects.get(public_id=noted["task_id"])
        assert (job.prompt, job.model, job.method) == (noted["prompt"], RETAKE, "edit")
        assert job.status == "completed" and job.credits_charged == job.credits_held > 0
        retakes.append(noted["prompt"])
    sent = [
        r.body["prompt"]
        for r in list(sandbox.received)[since:]
        if r.provider == "wavespeed" and r.method == "POST" and r.path.endswith(RETAKE)
    ]
    assert sent == retakes
    local = Job.objects.get(public_id=json.loads((out / "local-edit.json").read_text())["task_id"])
    assert (local.model, local.prompt) == ("local/edit", "")
    # The refused edit made no job: the two retakes and the accepted edit are all there is.
    assert Job.objects.filter(workspace=alice.workspace).count() == 3
