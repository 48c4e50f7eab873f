"""The TypeScript client (clients/typescript) against the live stack: this test sets up the
workspaces and data each node test case needs, builds the package with `tsc`, runs
`node --test`, then checks on the server what the node tests did (the video they saved is a
real MP4 of the asked duration; a dropped submit made one job and one hold; a cancelled job
charged nothing)."""

import functools
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import av
import pytest
from django.conf import settings

from apps.accounts import services as accounts
from apps.accounts.models import Tier, Workspace
from apps.accounts.scopes import ALL_SCOPES
from apps.billing import services as billing
from apps.billing.models import CreditHold, LedgerEntry
from apps.catalog.services import model_override_set
from apps.jobs.models import Job
from apps.webhooks import signing
from tests.clients.typescript.dropping_proxy import dropping_proxy
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

PACKAGE = Path(settings.BASE_DIR) / "clients" / "typescript"
NODE = shutil.which("node")
NPM = shutil.which("npm")
PRICE = 7  # credits per run of local/text-to-video in these tests
UPLOAD_LIMIT = 20_000  # bytes, the small-upload workspace's per-file limit


def _require_node() -> None:
    if NODE and NPM:
        return
    if os.environ.get("CI"):
        pytest.fail("node and npm are required in CI (`make clients` installs them)")
    pytest.skip("node is not installed (run `make clients`)")


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=PACKAGE, capture_output=True, text=True, check=False, **kwargs)


@pytest.fixture(scope="session")
def node_package() -> Path:
    """`npm ci` once (skipped while node_modules matches the lock), then both `tsc` builds."""
    _require_node()
    lock = PACKAGE / "package-lock.json"
    installed = PACKAGE / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        done = _run([NPM, "ci", "--no-audit", "--no-fund"], timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
    tsc = str(PACKAGE / "node_modules" / "typescript" / "bin" / "tsc")
    for config in ("tsconfig.json", "tsconfig.test.json"):
        built = _run([NODE, tsc, "-p", config], timeout=300)
        assert built.returncode == 0, f"tsc -p {config}:\n{built.stdout}{built.stderr}"
    assert (PACKAGE / "dist" / "index.d.ts").exists()
    return PACKAGE


@pytest.fixture
def webhook_port(monkeypatch, settings) -> int:
    """A free loopback port for the node test's webhook receiver, exempted from the SSRF
    guard's loopback refusal in this process and in the worker (set before it starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("OUTBOUND_ALLOWED_NETLOCS", f"127.0.0.1:{port}")
    settings.OUTBOUND_ALLOWED_NETLOCS = [f"127.0.0.1:{port}"]
    return port


def _tier(name: str, **changes) -> Tier:
    tier = Tier.objects.get(name="free")
    tier.pk = None
    tier.name = name
    tier.display_name = name
    for field, value in changes.items():
        setattr(tier, field, value)
    tier.save()
    return tier


def _workspace_key(email: str, tier: Tier, credits: int) -> tuple[Workspace, str]:
    user = UserFactory(email=email)
    membership = user.memberships.get()
    workspace = membership.workspace
    workspace.tier = tier
    workspace.save()
    available = billing.credit_account_open(workspace=workspace).available
    if credits > available:
        billing.credits_grant(
            workspace=workspace, credits=credits - available, idempotency_key=f"ts-{email}"
        )
    _, key = accounts.api_key_create(
        actor=membership, name="typescript client tests", scopes=list(ALL_SCOPES)
    )
    return workspace, key


def _webhook_vector() -> str:
    new, old = signing.secret_new(), signing.secret_new()
    body = json.dumps({"type": "task.completed", "timestamp": "2026-11-29T16:05:14+00:00",
                       "data": {"id": "job_x", "status": "completed"}})  # fmt: skip
    timestamp = int(time.time())
    header = signing.signature_header(
        secrets_=[new, old], msg_id="msg_ts", timestamp=timestamp, body=body.encode()
    )
    headers = {"webhook-id": "msg_ts", "webhook-timestamp": str(timestamp),
               "webhook-signature": header}  # fmt: skip
    return json.dumps({"body": body, "headers": headers, "secret": new, "old_secret": old})


def _probe(path: Path) -> tuple[float, int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return float(container.duration / av.time_base), frames


def test_the_typescript_client_passes_its_node_tests_against_the_live_stack(
    node_package, alice, webhook_port, live_stack, tmp_path
):
    model_override_set(model_id="local/text-to-video", price_credits=PRICE)
    roomy = _tier("ts-roomy", requests_per_minute=10_000)
    main = alice.workspace
    main.tier = roomy
    main.save()
    billing.credits_grant(workspace=main, credits=1_000, idempotency_key="ts-alice")
    _, cancel_key = _workspace_key("cancel@example.com", roomy, 100)
    _, broke_key = _workspace_key("broke@example.com", roomy, 0)
    _, limited_key = _workspace_key(
        "limited@example.com", _tier("ts-limited", requests_per_minute=3), 0
    )
    _, small_key = _workspace_key(
        "small@example.com", _tier("ts-small", max_upload_bytes=UPLOAD_LIMIT), 100
    )
    _, full_key = _workspace_key(
        "full@example.com", _tier("ts-full", storage_quota_bytes=10_000), 100
    )
    proxied, proxy_key = _workspace_key("proxied@example.com", roomy, 100)
    cancel_ws = Workspace.objects.get(memberships__user__email="cancel@example.com")
    assert billing.credit_account_open(workspace=Workspace.objects.get(
        memberships__user__email="broke@example.com")).available < PRICE  # fmt: skip

    out = tmp_path / "out"
    out.mkdir()
    upstream = urlsplit(live_stack.url)
    with dropping_proxy((upstream.hostname, upstream.port), b"POST /api/v1/generate ") as proxy:
        env = {
            **os.environ,
            "REELSMITH_BASE_URL": live_stack.url,
            "REELSMITH_API_KEY": alice.key,
            "RS_TEST_OUT": str(out),
            "RS_TEST_PRICE": str(PRICE),
            "RS_TEST_CANCEL_KEY": cancel_key,
            "RS_TEST_BROKE_KEY": broke_key,
            "RS_TEST_LIMITED_KEY": limited_key,
            "RS_TEST_SMALL_UPLOAD_KEY": small_key,
            "RS_TEST_FULL_KEY": full_key,
            "RS_TEST_UPLOAD_LIMIT": str(UPLOAD_LIMIT),
            "RS_TEST_PROXY_URL": proxy.url,
            "RS_TEST_PROXY_KEY": proxy_key,
            "RS_TEST_WEBHOOK_VECTOR": _webhook_vector(),
            "RS_TEST_WEBHOOK_PORT": str(webhook_port),
        }
        run = _run(
            # issue17.test.js runs from test_node_client_issue17.py, with its own setup.
            [
                NODE,
                "--test",
                "--test-concurrency=1",
                "--test-reporter=tap",
                "build/test/live.test.js",
                "build/test/unit.test.js",
            ],
            env=env,
            timeout=1500,
        )
        drops, forwarded = proxy.drops, proxy.forwarded
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-20_000:]
    counts = dict(
        line[2:].split(" ", 1) for line in run.stdout.splitlines() if line.startswith("# ")
        if line[2:].split(" ", 1)[0] in {"tests", "pass", "fail", "skipped", "cancelled"}
    )  # fmt: skip
    print(f"node --test: {counts}")
    timings = re.findall(r"^(?:not )?ok \d+ - .*\n\s+---\n\s+duration_ms: [\d.]+", run.stdout, re.M)
    print("\n".join(timings))
    assert counts["fail"] == "0" and counts["cancelled"] == "0" and counts["skipped"] == "0", counts
    assert counts["pass"] == counts["tests"], counts

    # The quick start's video and the generated one are real MP4s of the asked duration.
    duration, frames = _probe(out / "quickstart.mp4")
    assert duration == pytest.approx(5.0, abs=0.2) and frames > 0
    duration, frames = _probe(out / "generate.mp4")
    assert duration == pytest.approx(2.0, abs=0.2) and frames > 0
    generated = Job.objects.get(
        public_id=json.loads((out / "generate.json").read_text())["task_id"]
    )
    assert generated.status == "completed" and generated.credits_charged == PRICE

    # The dropped submit: cut once after the server answered, retried with the same key.
    assert drops == 1 and forwarded == 1
    dropped_id = json.loads((out / "dropped.json").read_text())["task_id"]
    assert list(Job.objects.filter(workspace=proxied).values_list("public_id", flat=True)) == [
        dropped_id
    ]
    assert CreditHold.objects.filter(workspace=proxied).count() == 1

    # The cancelled job: hold released, nothing captured, balance as granted.
    cancelled = Job.objects.get(public_id=json.loads((out / "cancel.json").read_text())["task_id"])
    assert cancelled.workspace_id == cancel_ws.pk and cancelled.status == "cancelled"
    assert cancelled.started_at is not None  # it was running when cancelled
    assert cancelled.hold.state == CreditHold.State.RELEASED
    assert cancelled.credits_charged == 0
    assert not LedgerEntry.objects.filter(workspace=cancel_ws, kind="capture").exists()
    account = billing.credit_account_open(workspace=cancel_ws)
    assert (account.balance, account.held) == (100, 0)


def test_the_package_declares_no_runtime_dependencies_and_imports_no_server_code():
    manifest = json.loads((PACKAGE / "package.json").read_text())
    assert "dependencies" not in manifest
    assert manifest["type"] == "module"
    lock = json.loads((PACKAGE / "package-lock.json").read_text())
    assert set(lock["packages"][""]["devDependencies"]) == {"typescript", "@types/node"}
    sources = "".join(p.read_text() for p in (PACKAGE / "src").glob("*.ts"))
    # Node's modules only through the guarded dynamic import (a browser bundle stays clean).
    assert 'from "node:' not in sources and "require(" not in sources


class _DistHandler(http.server.SimpleHTTPRequestHandler):
    """The built package under /dist/, and an empty page at / to import it from."""

    def do_GET(self):
        if self.path == "/":
            body = b"<!doctype html><title>client</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, *args):
        pass


BROWSER_CHECK = """async (vector) => {
  const m = await import('/dist/index.js');
  const base = new m.VideoGenerationRequest('A lighthouse');
  const built = base.withDuration(3).withWidth(1280).withHeight(720);
  const event = await m.verifyWebhook(vector.body, vector.headers, vector.secret);
  let tampered = 'accepted';
  try { await m.verifyWebhook(vector.body + ' ', vector.headers, vector.secret); }
  catch (e) { tampered = e.name; }
  let upload = 'accepted';
  try { await new m.Reelsmith({ apiKey: 'k' }).upload('/etc/hostname'); }
  catch (e) { upload = e.message; }
  return { base: base.options, built: built.options, type: event.type, tampered, upload,
           shape: m.shapeFor(1280, 720) };
}"""


def test_the_built_package_loads_and_verifies_webhooks_in_a_browser(node_package, page):
    handler = functools.partial(_DistHandler, directory=str(node_package))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        result = page.evaluate(BROWSER_CHECK, json.loads(_webhook_vector()))
    finally:
        server.shutdown()
        server.server_close()
    assert result["base"] == {}
    assert result["built"] == {"duration": 3, "width": 1280, "height": 720}
    assert result["type"] == "task.completed"
    assert result["tampered"] == "WebhookVerificationError"
    assert "only available under Node" in result["upload"]
    assert result["shape"] == {"resolution": "720p", "aspectRatio": "16:9"}
