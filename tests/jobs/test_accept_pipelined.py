"""The pipelined acceptance (apps/jobs/accepted.py, PostgreSQL): a paid job that starts
at once is accepted in three round trips to the database (BEGIN; lock, count, hold, key
budget, job and event together; COMMIT) instead of seven. Every other answer rolls the
attempt back and the step-by-step path decides: the refusals are the step-by-step path's
own, and nothing of the attempt is left behind. (The money rules under concurrency are
tests/jobs/test_submit_cost.py's, which run through this path.)"""

import itertools
import tempfile

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.budgets import month_of
from apps.accounts.models import ApiKey, ApiKeyMonthlySpend
from apps.billing.models import CreditAccount, CreditHold
from apps.core.errors import ApplicationError
from apps.jobs.models import Job, JobEvent
from apps.jobs.services import job_submit
from tests.jobs.conftest import TEXT_JOB, fund
from tests.jobs.test_submit_cost import PRICE, _tier

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def round_trips(call) -> int:
    """Database round trips made by `call()`, from libpq's own protocol trace: each time
    the client stops sending and reads the server's answers."""
    with tempfile.TemporaryFile("w+") as trace:
        pgconn = connection.connection.pgconn
        pgconn.trace(trace.fileno())
        try:
            call()
        finally:
            pgconn.untrace()
        trace.seek(0)
        directions = [
            next((field for field in line.split("\t") if field in ("F", "B")), None)
            for line in trace.read().splitlines()
        ]
    directions = [d for d in directions if d]
    return sum(1 for pair in itertools.pairwise(directions) if pair == ("F", "B"))


@pytest.fixture
def key(alice, priced, not_eager) -> ApiKey:
    fund(alice.workspace, 100)
    _tier(alice.workspace, max_concurrent_jobs=100)
    key = ApiKey.objects.get(workspace=alice.workspace)
    key.monthly_credit_limit = 1000
    key.save()
    # The key's first spend this month (its row is created step by step), the copies
    # loaded, the connection open.
    job_submit(workspace=alice.workspace, user=alice.user, data=TEXT_JOB, api_key=key)
    return ApiKey.objects.get(pk=key.pk)


@pytest.fixture(autouse=True)
def attempts(monkeypatch) -> list[str]:
    """How each pipelined attempt ended: "accepted", or "step by step" (rolled back)."""
    from apps.jobs import submit as submitting
    from apps.jobs.accepted import StepByStep

    ended: list[str] = []
    pipelined = submitting.job_accept_pipelined

    def counted(**kwargs):
        try:
            pipelined(**kwargs)
        except StepByStep:
            ended.append("step by step")
            raise
        ended.append("accepted")

    monkeypatch.setattr(submitting, "job_accept_pipelined", counted)
    return ended


def submit(alice, key, **kwargs):
    return job_submit(
        workspace=alice.workspace, user=alice.user, data=dict(TEXT_JOB), api_key=key, **kwargs
    )


def test_an_accepted_paid_submit_is_three_round_trips(alice, key, attempts):
    result = []
    assert round_trips(lambda: result.append(submit(alice, key))) == 3
    assert attempts == ["step by step", "accepted"]  # the fixture's first spend, this one
    job, created = result[0]
    assert created and job.credits_held == job.hold.credits == PRICE
    # The instance is the row it wrote, column for column.
    row = Job.objects.get(pk=job.pk)
    assert {f.attname: getattr(job, f.attname) for f in Job._meta.concrete_fields} == {
        f.attname: getattr(row, f.attname) for f in Job._meta.concrete_fields
    }
    assert CreditHold.objects.get(pk=job.hold.pk).reference == job.public_id
    assert JobEvent.objects.get(job=job).message == "Accepted"
    # Step by step (a retry-aware client's retry checks for its first attempt) it is more.
    assert round_trips(lambda: submit(alice, key, client_retry=True)) >= 7


def _nothing_left(alice, key, *, jobs: int, held: int, spent: int) -> None:
    """After a refused pipelined attempt: only the fixture's jobs and their money."""
    assert Job.objects.filter(workspace=alice.workspace).count() == jobs
    assert JobEvent.objects.filter(job__workspace=alice.workspace).count() == jobs
    assert CreditHold.objects.filter(workspace=alice.workspace).count() == jobs
    assert CreditAccount.objects.get(workspace=alice.workspace).held == held
    assert ApiKeyMonthlySpend.objects.get(api_key=key, month=month_of()).credits == spent


def test_short_credits_are_the_step_by_step_refusal(alice, key, attempts):
    CreditAccount.objects.filter(workspace=alice.workspace).update(balance=PRICE + 3)
    with pytest.raises(ApplicationError) as refused:
        submit(alice, key)
    assert refused.value.code == "INSUFFICIENT_CREDITS"
    assert refused.value.details["shortfall"] == PRICE - 3
    assert attempts[-1] == "step by step"
    _nothing_left(alice, key, jobs=1, held=PRICE, spent=PRICE)


def test_the_concurrency_limit_is_the_step_by_step_refusal(alice, key, attempts):
    _tier(alice.workspace, max_concurrent_jobs=1)
    with pytest.raises(ApplicationError) as refused:
        submit(alice, key)
    assert refused.value.code == "RATE_LIMIT_EXCEEDED"
    assert refused.value.details["max_concurrent_jobs"] == 1
    assert attempts[-1] == "step by step"
    _nothing_left(alice, key, jobs=1, held=PRICE, spent=PRICE)


def test_the_key_budget_is_the_step_by_step_refusal(alice, key, attempts):
    ApiKey.objects.filter(pk=key.pk).update(monthly_credit_limit=PRICE + 1)
    with pytest.raises(ApplicationError) as refused:
        submit(alice, key)
    assert refused.value.code == "KEY_BUDGET_EXCEEDED"
    assert refused.value.details == {"limit": PRICE + 1, "remaining": 1, "required": PRICE}
    assert attempts[-1] == "step by step"
    _nothing_left(alice, key, jobs=1, held=PRICE, spent=PRICE)


def test_a_closed_workspace_is_the_step_by_step_refusal(alice, key, attempts):
    from apps.accounts.models import Workspace

    Workspace.objects.filter(pk=alice.workspace.pk).update(closed_at=timezone.now())
    with pytest.raises(ApplicationError) as refused:
        submit(alice, key)  # the request saw it open
    assert refused.value.code == "PERMISSION_DENIED"
    assert refused.value.details["workspace_closed"] is True
    assert attempts[-1] == "step by step"
    _nothing_left(alice, key, jobs=1, held=PRICE, spent=PRICE)


def test_a_keys_first_spend_of_the_month_is_accepted_step_by_step(alice, key, attempts):
    ApiKeyMonthlySpend.objects.filter(api_key=key).delete()
    job, created = submit(alice, key)
    assert attempts[-1] == "step by step"
    assert created and job.hold.credits == PRICE
    assert ApiKeyMonthlySpend.objects.get(api_key=key, month=month_of()).credits == PRICE
    assert CreditAccount.objects.get(workspace=alice.workspace).held == 2 * PRICE


def test_a_repeated_idempotency_key_returns_the_first_job(alice, key):
    first, created = submit(alice, key, idempotency_key="pipelined-once")
    again, created_again = submit(alice, key, idempotency_key="pipelined-once")
    assert created and not created_again and again.pk == first.pk
    _nothing_left(alice, key, jobs=2, held=2 * PRICE, spent=2 * PRICE)
