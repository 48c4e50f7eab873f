"""Concurrent submits against one key's monthly budget (PostgreSQL, one connection per
thread): the budget is checked under the same account lock as the hold, so the key never
spends past its limit, and the per-month tally always equals its open and captured holds."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import Sum

from apps.accounts.budgets import month_of
from apps.accounts.models import ApiKey, ApiKeyMonthlySpend, Tier
from apps.billing.models import CreditAccount, CreditHold
from apps.core.errors import ApplicationError
from apps.jobs.models import Job
from apps.jobs.services import job_cancel, job_submit
from tests.accounts.keyhelpers import key_client
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16
PRICE = 7  # credits per job (the `priced` fixture)
LIMIT = 70  # credits: exactly 10 jobs


@pytest.fixture
def roomy(alice):
    alice.workspace.tier = Tier.objects.create(
        name="roomy",
        display_name="Roomy",
        max_upload_bytes=10**9,
        max_concurrent_jobs=10_000,
        requests_per_minute=100_000,
    )
    alice.workspace.save(update_fields=["tier"])
    return alice.workspace


def _submit(workspace, user, api_key_id):
    def run(i: int) -> str:
        try:
            api_key = ApiKey.objects.get(pk=api_key_id)  # as authentication loads it
            job_submit(
                workspace=workspace,
                user=user,
                data={**TEXT_JOB, "prompt": f"A red fox, take {i}"},
                api_key=api_key,
            )
            return "accepted"
        except ApplicationError as exc:
            return exc.code
        finally:
            connection.close()

    return run


def _tally(api_key) -> int:
    row = ApiKeyMonthlySpend.objects.filter(api_key=api_key, month=month_of()).first()
    return row.credits if row else 0


def _holds_spend(api_key) -> int:
    held = CreditHold.objects.filter(api_key=api_key, state="held").aggregate(s=Sum("credits"))
    captured = CreditHold.objects.filter(api_key=api_key, state="captured").aggregate(
        s=Sum("captured_credits")
    )
    return (held["s"] or 0) + (captured["s"] or 0)


def test_concurrent_submits_never_pass_the_keys_monthly_limit(
    alice, roomy, priced, not_eager, capsys
):
    fund(alice.workspace, 100_000)
    api_key, _ = key_client(alice, monthly_credit_limit=LIMIT)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = Counter(pool.map(_submit(roomy, alice.user, api_key.pk), range(60)))
    assert outcomes == {"accepted": LIMIT // PRICE, "KEY_BUDGET_EXCEEDED": 60 - LIMIT // PRICE}
    assert _tally(api_key) == _holds_spend(api_key) == LIMIT
    assert CreditAccount.objects.get(workspace=roomy).held == LIMIT
    with capsys.disabled():
        print(f"\n  60 submits / {THREADS} threads against a {LIMIT}-credit key: {dict(outcomes)}")


def test_cancels_racing_submits_keep_the_tally_exact(alice, roomy, priced, not_eager):
    fund(alice.workspace, 100_000)
    api_key, _ = key_client(alice, monthly_credit_limit=LIMIT)
    submit = _submit(roomy, alice.user, api_key.pk)
    for i in range(LIMIT // PRICE):
        assert submit(i) == "accepted"
    jobs = list(Job.objects.filter(hold__api_key=api_key))

    def cancel(job):
        try:
            job_cancel(job=job)
        finally:
            connection.close()

    # Five cancels and thirty submits at once: every freed credit may be taken again,
    # never more.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        cancels = [pool.submit(cancel, job) for job in jobs[:5]]
        outcomes = Counter(pool.map(submit, range(100, 130)))
        for f in cancels:
            f.result()
    assert outcomes["accepted"] <= 5
    assert set(outcomes) <= {"accepted", "KEY_BUDGET_EXCEEDED"}
    assert _tally(api_key) == _holds_spend(api_key) <= LIMIT
    assert _tally(api_key) == PRICE * (LIMIT // PRICE - 5 + outcomes["accepted"])
