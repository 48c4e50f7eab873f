"""The staff Operations page: what it shows, the sweep button, and that nobody else gets
either (403 signed in, the login page otherwise; the sweep only by POST with CSRF)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.services import user_signup
from apps.billing.models import CreditAccount, CreditHold
from apps.billing.services import credits_grant, credits_hold
from apps.catalog.health import provider_call_record, provider_health_reset
from apps.jobs.models import Job
from apps.moderation.models import ModerationCase
from apps.webhooks.models import MessageStatus, WebhookMessage

URL = "/operations/"
SWEEP = "/operations/sweep/"


@pytest.fixture
def staff(db):
    return user_signup(email="ops@example.com", password="pw-12345678", is_staff=True)


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def stuck_job(workspace, *, credits: int = 40, overdue_s: int = 600) -> Job:
    credits_grant(workspace=workspace, credits=credits, idempotency_key=f"ops:{workspace.pk}")
    hold = credits_hold(workspace=workspace, credits=credits, reference="ops")
    return Job.objects.create(
        workspace=workspace,
        method="text-to-video",
        model="runway-gen-4",
        provider="runway",
        status="running",
        hold=hold,
        credits_held=credits,
        deadline_at=timezone.now() - dt.timedelta(seconds=overdue_s),
    )


def test_a_visitor_is_sent_to_the_login_page(client, db):
    for response in (client.get(URL), client.post(SWEEP)):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_a_workspace_owner_who_is_not_staff_gets_403_and_sweeps_nothing(client, alice):
    job = stuck_job(alice.workspace)
    client.force_login(alice.user)
    assert client.get(URL).status_code == 403
    assert client.post(SWEEP).status_code == 403
    job.refresh_from_db()
    assert job.status == "running"
    assert "Operations" not in client.get("/").content.decode()


def test_staff_see_stuck_jobs_providers_webhook_failures_and_the_backlog(
    staff_client, alice, charlie
):
    job = stuck_job(alice.workspace, overdue_s=3 * 3600 + 60)
    Job.objects.create(  # live and within its deadline: not stuck
        workspace=charlie.workspace,
        method="text-to-video",
        model="local/text-to-video",
        provider="local",
        status="running",
        deadline_at=timezone.now() + dt.timedelta(minutes=5),
    )
    ModerationCase.objects.create(
        subject_type="asset",
        subject_id="job_x",
        workspace=charlie.workspace,
        opened_at=timezone.now() - dt.timedelta(minutes=7, seconds=3),
    )
    message = WebhookMessage.objects.create(
        workspace=charlie.workspace,
        url="https://example.com/hook",
        event="task.failed",
        body="{}",
        status=MessageStatus.FAILED,
        attempt_count=8,
    )
    provider_health_reset(provider="fal")
    for ok in (True, False, False, True):
        provider_call_record(provider="fal", ok=ok, latency_s=0.2)

    response = staff_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert job.public_id in html
    assert alice.workspace.public_id in html
    assert "3 h 1 min" in html
    assert response.context["stuck_count"] == 1
    assert set(response.context["queues"]["depths"]) == {"celery", "jobs-local", "jobs-provider"}
    assert 'data-testid="queue-row"' in html
    fal = next(p for p in response.context["providers"] if p["provider"] == "fal")
    assert (fal["calls"], fal["errors"], fal["error_rate"], fal["latency_ms"]) == (4, 2, 0.5, 200)
    assert 'data-provider="fal"' in html and "50 %" in html
    assert message.public_id in html
    assert response.context["failed_count"] == 1
    assert response.context["backlog_open"] == 1
    assert response.context["backlog_oldest"] == "7 min 3 s"
    assert "Operations" in staff_client.get("/").content.decode()


def test_the_sweep_button_settles_stuck_jobs_and_returns_their_credits(staff_client, alice):
    job = stuck_job(alice.workspace, credits=40)
    account = CreditAccount.objects.get(workspace=alice.workspace)
    available_before = account.balance - account.held
    response = staff_client.post(SWEEP)
    assert response.status_code == 302
    assert response["Location"] == URL
    job.refresh_from_db()
    assert (job.status, job.error_code) == ("failed", "PROCESSING_TIMEOUT")
    assert job.hold.state == CreditHold.State.RELEASED
    account.refresh_from_db()
    assert account.held == 0
    assert account.balance - account.held == available_before + 40
    page = staff_client.get(URL)
    assert "timed out: 1" in page.content.decode()
    assert page.context["stuck_count"] == 0
    # A second sweep finds nothing left to do.
    staff_client.post(SWEEP)
    assert "timed out: 0" in staff_client.get(URL).content.decode()


def test_the_sweep_needs_post_and_a_csrf_token(staff, alice):
    job = stuck_job(alice.workspace)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.get(SWEEP).status_code == 405
    assert client.post(SWEEP).status_code == 403  # no CSRF token
    job.refresh_from_db()
    assert job.status == "running"


def test_the_page_survives_a_broker_that_does_not_answer(staff_client, monkeypatch):
    def down():
        raise ConnectionError("refused")

    monkeypatch.setattr("apps.dashboard.operations.queue_depths", down)
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert "The broker did not answer: ConnectionError" in response.content.decode()
