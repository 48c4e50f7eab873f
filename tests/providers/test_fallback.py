"""Fallback models through the API, the real pipeline (Celery eager) and the sandbox's
fault injection: which failures move a job to its next model, what it is charged, and
that the books balance afterwards."""

import io

import pytest
from django.core.management import call_command

from apps.billing.models import CreditAccount, CreditHold, LedgerEntry
from apps.billing.services import credits_grant
from apps.catalog.preflight import job_preflight
from apps.catalog.services import job_quote
from apps.core.throttling import TierRateThrottle
from apps.jobs.failover import falls_back, job_fallback
from apps.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db(transaction=True)

PRIMARY = "wavespeed-ai/hunyuan-video-1.5/text-to-video"  # on wavespeed
FALLBACK = "seedance-lite-t2v"  # on fal
FALLBACK_2 = "seedance-pro-t2v"  # on fal
JOB = {
    "method": "text-to-video",
    "model": PRIMARY,
    "prompt": "A red fox at dawn",
    "duration": 5,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}


@pytest.fixture(autouse=True)
def job_storage(media_storage):
    return media_storage


def fund(workspace, credits=100_000):
    credits_grant(workspace=workspace, credits=credits, idempotency_key=f"fund:{workspace.pk}")


def price(workspace, model):
    return job_quote(
        preflight=job_preflight(fields={**JOB, "model": model}), workspace=workspace
    ).credits


def submit(actor, body):
    response = actor.api.post("/api/v1/generate", body, format="json")
    assert response.status_code == 202, response.json()
    return Job.objects.get(public_id=response.json()["id"])


def submits_to(sandbox, provider, since=0):
    return [
        r for r in list(sandbox.received)[since:] if r.provider == provider and r.method == "POST"
    ]


def account(workspace):
    return CreditAccount.objects.get(workspace=workspace)


def verify_clean():
    out = io.StringIO()
    call_command("billing_verify", stdout=out)  # SystemExit(1) on drift
    assert out.getvalue().startswith("OK:"), out.getvalue()


# --- submit: checked by preflight, held at the highest price ------------------------------


def test_the_hold_is_the_highest_candidate_price_and_the_job_lists_its_fallbacks(alice, sandbox):
    fund(alice.workspace)
    prices = [price(alice.workspace, m) for m in (PRIMARY, FALLBACK, FALLBACK_2)]
    response = alice.api.post(
        "/api/v1/generate",
        {**JOB, "prompt": "A fox [sandbox:slow]", "fallback_models": [FALLBACK, FALLBACK_2]},
        format="json",
    )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["fallback_models"] == [FALLBACK, FALLBACK_2]
    assert body["credits"]["held"] == max(prices)
    assert body["credits"]["estimated"] == prices[0]


@pytest.mark.parametrize(
    ("fallbacks", "field"),
    [
        ("not-a-list-of-models-[", "fallback_models"),
        ([1, 2], "fallback_models"),
        ([{"model": FALLBACK}], "fallback_models"),
        ([FALLBACK, FALLBACK_2, FALLBACK, PRIMARY], "fallback_models"),
        (["no-such-model"], "fallback_models[0].model"),
        ([PRIMARY], "fallback_models[0]"),
        ([FALLBACK, FALLBACK], "fallback_models[1]"),
        (["kling-2.1-standard-i2v"], "fallback_models[0]"),
    ],
)
def test_bad_fallback_models_are_refused_with_nothing_held(alice, sandbox, fallbacks, field):
    fund(alice.workspace)
    response = alice.api.post(
        "/api/v1/generate", {**JOB, "fallback_models": fallbacks}, format="json"
    )
    assert response.status_code == 400, response.json()
    problems = response.json()["error"]["details"].get("problems") or [{"field": "?"}]
    assert any(p["field"].startswith(field) for p in problems), problems
    assert not Job.objects.exists()
    assert account(alice.workspace).held == 0


@pytest.mark.parametrize("value", [f"{FALLBACK}, {FALLBACK_2}", f'["{FALLBACK}", "{FALLBACK_2}"]'])
def test_a_multipart_form_sends_fallbacks_as_ids_or_a_json_list(alice, sandbox, value):
    fund(alice.workspace)
    response = alice.api.post(
        "/api/v1/generate", {**JOB, "fallback_models": value}, format="multipart"
    )
    assert response.status_code == 202, response.json()
    assert response.json()["fallback_models"] == [FALLBACK, FALLBACK_2]


def test_a_fallback_that_does_not_accept_the_request_is_refused(alice, sandbox):
    fund(alice.workspace)
    # 21:9 is fine for the fal lite model, not for Wan 2.5 on WaveSpeed.
    response = alice.api.post(
        "/api/v1/generate",
        {**JOB, "model": FALLBACK, "aspect_ratio": "21:9", "fallback_models": ["wan-2.5-t2v"]},
        format="json",
    )
    assert response.status_code == 400, response.json()
    fields = [p["field"] for p in response.json()["error"]["details"]["problems"]]
    assert all(f.startswith("fallback_models[0].") for f in fields), fields


# --- the three failures of the issue ------------------------------------------------------


def test_primary_500_on_submit_falls_back_and_charges_the_fallbacks_price(alice, sandbox):
    fund(alice.workspace, 10_000)
    primary, fallback = price(alice.workspace, PRIMARY), price(alice.workspace, FALLBACK)
    since = len(sandbox.received)
    with sandbox.outage("wavespeed"):
        job = submit(alice, {**JOB, "fallback_models": [FALLBACK]})
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED, (job.error_code, job.error_message)
    assert (job.model, job.provider) == (FALLBACK, "fal")
    assert len(submits_to(sandbox, "wavespeed", since)) == 1  # no retry of the primary
    assert len(submits_to(sandbox, "fal", since)) == 1
    # Held the highest price, charged the fallback's, the rest released: one capture.
    assert job.credits_held == max(primary, fallback)
    assert job.credits_charged == fallback
    assert job.hold.state == CreditHold.State.CAPTURED
    assert job.hold.captured_credits == fallback
    captures = LedgerEntry.objects.filter(hold=job.hold, kind=LedgerEntry.Kind.CAPTURE)
    assert [e.credits for e in captures] == [-fallback]
    acct = account(alice.workspace)
    assert (acct.balance, acct.held) == (10_000 - fallback, 0)
    verify_clean()

    body = alice.api.get(f"/api/v1/tasks/{job.public_id}").json()
    attempts = body["attempts"]
    assert [(a["model"], a["provider"]) for a in attempts] == [
        (PRIMARY, "wavespeed"),
        (FALLBACK, "fal"),
    ]
    assert attempts[0]["error"]["code"] == "DELIVERY_FAILED" or attempts[0]["error"]["code"]
    assert attempts[1]["error"] is None
    assert all(a["at"] for a in attempts)
    assert body["credits"] == {
        "estimated": fallback,
        "held": max(primary, fallback),
        "charged": fallback,
    }


def test_the_primary_delivering_is_charged_its_own_price_not_the_hold(alice, sandbox):
    fund(alice.workspace, 10_000)
    primary = price(alice.workspace, PRIMARY)
    held = max(primary, price(alice.workspace, FALLBACK), price(alice.workspace, FALLBACK_2))
    job = submit(alice, {**JOB, "fallback_models": [FALLBACK, FALLBACK_2]})
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert (job.model, job.credits_held, job.credits_charged) == (PRIMARY, held, primary)
    assert [a["model"] for a in job.attempt_log] == [PRIMARY]
    acct = account(alice.workspace)
    assert (acct.balance, acct.held) == (10_000 - primary, 0)
    verify_clean()


def test_primary_content_policy_does_not_fall_back_and_charges_nothing(alice, sandbox):
    fund(alice.workspace, 10_000)
    since = len(sandbox.received)
    job = submit(
        alice, {**JOB, "prompt": "A red fox [sandbox:policy]", "fallback_models": [FALLBACK]}
    )
    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAILED, "CONTENT_POLICY")
    assert job.model == PRIMARY
    assert submits_to(sandbox, "fal", since) == []
    assert job.credits_charged == 0 and job.hold.state == CreditHold.State.RELEASED
    assert [(a["model"], a["error"]["code"]) for a in job.attempt_log] == [
        (PRIMARY, "CONTENT_POLICY")
    ]
    acct = account(alice.workspace)
    assert (acct.balance, acct.held) == (10_000, 0)
    verify_clean()


def test_an_ambiguous_submit_timeout_does_not_fall_back(alice, sandbox):
    fund(alice.workspace, 10_000)
    since = len(sandbox.received)
    job = submit(
        alice, {**JOB, "prompt": "A red fox [sandbox:timeout]", "fallback_models": [FALLBACK]}
    )
    job.refresh_from_db()
    # The provider may have accepted the task: a second provider's task could make two.
    assert job.status == JobStatus.FAILED
    assert job.model == PRIMARY
    assert submits_to(sandbox, "fal", since) == []
    assert job.hold.state == CreditHold.State.RELEASED
    assert account(alice.workspace).held == 0
    verify_clean()


def test_a_task_that_fails_for_good_does_not_fall_back(alice, sandbox):
    """The provider ran the task and it failed (not retryable): the model's failure, not
    an outage; another model is not tried."""
    fund(alice.workspace, 10_000)
    since = len(sandbox.received)
    job = submit(
        alice, {**JOB, "prompt": "A red fox [sandbox:fail]", "fallback_models": [FALLBACK]}
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.model == PRIMARY
    assert submits_to(sandbox, "fal", since) == []
    assert job.credits_charged == 0 and account(alice.workspace).held == 0
    assert [a["model"] for a in job.attempt_log] == [PRIMARY]
    verify_clean()


def test_the_switch_needs_the_task_it_knows_ended_so_one_task_is_ever_live(
    alice, sandbox, monkeypatch
):
    """Compare-and-set on the locked row: a failure report about no task ("") while the job
    has a live task, or about an older task, changes nothing; the one about the live task
    switches once (a repeat finds the job queued) and clears the task id."""
    fund(alice.workspace, 10_000)
    # Nothing runs: this test plays the pipeline's part itself.
    monkeypatch.setattr("apps.jobs.failover.enqueue", lambda *a, **k: None)
    monkeypatch.setattr("apps.jobs.services.enqueue", lambda *a, **k: None)
    monkeypatch.setattr("apps.jobs.submit.enqueue", lambda *a, **k: None)
    job = submit(alice, {**JOB, "prompt": "A fox [sandbox:slow]", "fallback_models": [FALLBACK]})
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, provider_task_id="task-live")
    assert not job_fallback(job_id=job.pk, task_id="", code="DELIVERY_FAILED", message="x")
    assert not job_fallback(job_id=job.pk, task_id="task-old", code="DELIVERY_FAILED", message="x")
    assert job_fallback(job_id=job.pk, task_id="task-live", code="DELIVERY_FAILED", message="x")
    assert not job_fallback(job_id=job.pk, task_id="task-live", code="DELIVERY_FAILED", message="x")
    job.refresh_from_db()
    assert (job.status, job.model, job.provider_task_id) == (JobStatus.QUEUED, FALLBACK, "")
    assert job.fallbacks == [] and [a["model"] for a in job.attempt_log] == [PRIMARY]
    # No candidate left: the next failure is not a switch (the job fails as before).
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    assert not job_fallback(job_id=job.pk, task_id="", code="DELIVERY_FAILED", message="x")


@pytest.mark.parametrize(
    ("code", "retryable", "ambiguous", "expected"),
    [
        ("DELIVERY_FAILED", True, False, True),
        ("MODEL_UNAVAILABLE", False, False, True),
        ("PROVIDER_DEGRADED", False, False, True),
        ("DELIVERY_FAILED", True, True, False),  # a submit that timed out
        ("CONTENT_POLICY", True, False, False),
        ("CONTENT_POLICY", False, False, False),
        ("VALIDATION_ERROR", False, False, False),
        ("DELIVERY_FAILED", False, False, False),
    ],
)
def test_which_failures_fall_back(code, retryable, ambiguous, expected):
    assert falls_back(code=code, retryable=retryable, ambiguous=ambiguous) is expected


# --- an outage ------------------------------------------------------------------------------


def test_100_jobs_during_a_provider_outage_are_delivered_or_fail_cleanly(
    alice, sandbox, monkeypatch
):
    monkeypatch.setattr(TierRateThrottle, "allow_request", lambda self, request, view: True)
    fund(alice.workspace, 1_000_000)
    fallback = price(alice.workspace, FALLBACK)
    since = len(sandbox.received)
    jobs = []
    with sandbox.outage("wavespeed"):
        for i in range(100):
            # Every tenth job has no fallback: it can only fail, cleanly.
            extra = {} if i % 10 == 9 else {"fallback_models": [FALLBACK]}
            jobs.append(submit(alice, {**JOB, "prompt": f"Fox number {i}", **extra}))
    for job in jobs:
        job.refresh_from_db()
    delivered = [j for j in jobs if j.status == JobStatus.COMPLETED]
    failed = [j for j in jobs if j.status == JobStatus.FAILED]
    assert len(delivered) + len(failed) == 100
    assert len(delivered) == 90 and all(j.model == FALLBACK for j in delivered)
    assert all(not j.fallback_models for j in failed)
    assert all(j.credits_charged == fallback for j in delivered)
    assert all(j.credits_charged == 0 and j.hold.state == "released" for j in failed)
    acct = account(alice.workspace)
    assert acct.held == 0
    assert acct.balance == 1_000_000 - 90 * fallback
    verify_clean()
    # Health noticed the outage: once degraded, jobs skip the primary without a call.
    primary_calls = len(submits_to(sandbox, "wavespeed", since))
    assert primary_calls < 100
    skipped = [j for j in delivered if j.attempt_log[0]["error"]["code"] == "PROVIDER_DEGRADED"]
    assert skipped
    print(
        f"\nFALLBACK FIGURES: delivered={len(delivered)} failed={len(failed)} "
        f"held={acct.held} primary_submits={primary_calls} skipped_degraded={len(skipped)} "
        "billing_verify=OK"
    )
