"""The `reelsmith` command end to end, as a subprocess against the live stack."""

import json
import os
import pty
import select
import subprocess
import time

import pytest
from reelsmith import Reelsmith

from apps.jobs.models import Job
from tests.clients.python.conftest import cli_command, cli_env, fund, probe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def run(alice, live_stack, tmp_path):
    def run_(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*cli_command(), *args],
            env=cli_env(alice.key, live_stack.url),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run_


def test_generate_waits_saves_with_o_and_prints_json(run, tmp_path):
    done = run(
        "generate", "--prompt", "A fox at dawn", "--model", "local/text-to-video",
        "--duration", "2", "--resolution", "480p", "-o", "fox.mp4", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    job = json.loads(done.stdout)  # stdout is one JSON document
    assert job["status"] == "completed" and job["saved_to"] == "fox.mp4"
    assert probe(tmp_path / "fox.mp4")[0] == pytest.approx(2.0, abs=0.2)
    # Piped: progress as plain lines on stderr, no bar.
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith(job["id"]) for line in lines)
    assert lines[-1].startswith(f"{job['id']} completed 100%")
    assert "\r" not in done.stderr and "█" not in done.stderr


def test_generate_on_a_terminal_draws_a_progress_bar(alice, live_stack, tmp_path):
    # stderr is a pseudo-terminal, as in an interactive shell; stdout stays a pipe.
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [*cli_command(), "generate", "--prompt", "A hen", "--model", "local/text-to-video",
         "--duration", "1", "--resolution", "480p", "-o", "hen.mp4"],
        env=cli_env(alice.key, live_stack.url),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=follower,
    )  # fmt: skip
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    os.close(leader)
    assert proc.wait(timeout=30) == 0
    text = seen.decode()
    assert "\r" in text and "█" in text and "100% completed" in text
    assert "saved to hen.mp4" in proc.stdout.read().decode()
    assert probe(tmp_path / "hen.mp4")[0] == pytest.approx(1.0, abs=0.2)


def test_process_edit_status_and_the_exit_code_of_a_job_without_a_video(run, tmp_path, clip):
    done = run("process", "edit", "--source", str(clip), "--set", "trim_start=1",
               "-o", "out.mp4")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "saved to out.mp4" in done.stdout
    assert probe(tmp_path / "out.mp4")[0] == pytest.approx(1.0, abs=0.25)

    started = run("generate", "--prompt", "A long shot", "--model", "local/text-to-video",
                  "--duration", "60", "--resolution", "1080p", "--no-wait", "--json")  # fmt: skip
    assert started.returncode == 0, started.stderr
    task = json.loads(started.stdout)["id"]
    cancelled = run("cancel", task, "--json")
    assert cancelled.returncode == 0 and json.loads(cancelled.stdout)["status"] == "cancelled"
    status = run("status", task)
    assert status.returncode == 1  # the job ended without a video
    assert f"{task}  cancelled" in status.stdout


def test_a_job_that_ends_while_the_command_waits_exits_1(alice, live_stack, tmp_path):
    proc = subprocess.Popen(
        [*cli_command(), "generate", "--prompt", "A long shot", "--model",
         "local/text-to-video", "--duration", "60", "--resolution", "1080p"],
        env=cli_env(alice.key, live_stack.url),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    first = proc.stderr.readline()  # "job_… queued 0%": the task id
    task = first.split()[0]
    with Reelsmith(api_key=alice.key, base_url=live_stack.url) as client:
        client.cancel(task)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "cancelled" in out


def test_usage_errors_exit_2_and_api_errors_exit_3_with_json(run, alice, priced):
    assert run("generate", "--duration", "abc").returncode == 2
    assert run("frobnicate").returncode == 2
    missing = run("generate", "--prompt", "x", "--image", "/nonexistent/still.png")
    assert missing.returncode == 2 and "not a file" in missing.stderr

    unavailable = run("generate", "--prompt", "A dance", "--model", "runway-gen-4", "--json")
    assert unavailable.returncode == 3
    assert json.loads(unavailable.stdout)["error"]["code"] == "MODEL_UNAVAILABLE"
    broke = run("generate", "--prompt", "A fox", "--model", "local/text-to-video", "--json")
    assert broke.returncode == 3  # priced at 7, nothing funded
    assert json.loads(broke.stdout)["error"]["code"] == "INSUFFICIENT_CREDITS"
    assert "INSUFFICIENT_CREDITS (HTTP 402)" in broke.stderr
    assert not Job.objects.exists()


def test_models_estimate_balance_and_upload(run, alice, priced, still):
    fund(alice.workspace, 30)
    models = run("models", "--method", "image-to-video", "--json")
    assert models.returncode == 0
    assert "local/image-to-video" in {m["id"] for m in json.loads(models.stdout)}
    assert "local/image-to-video" in run("models", "--method", "image-to-video").stdout

    estimate = run("estimate", "--prompt", "A fox", "--model", "local/text-to-video",
                   "--duration", "3", "--json")  # fmt: skip
    assert estimate.returncode == 0 and json.loads(estimate.stdout)["estimated_credits"] == priced

    balance = run("--json", "balance")  # --json before the command works too
    assert json.loads(balance.stdout)["available"] == 30
    assert "available 30 credits" in run("balance").stdout

    upload = run("upload", str(still), "--title", "Still", "--save", "--json")
    assert upload.returncode == 0, upload.stderr
    asset = json.loads(upload.stdout)
    assert asset["id"].startswith("ast_") and asset["kind"] == "image" and asset["saved"]
