"""What one accepted submit costs (queries and broker round trips), and the money rules
the short path must keep under real contention (PostgreSQL, one connection per thread):
no overdraw, the tier's concurrency limit exact, one job per Idempotency-Key."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis.connection
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.db.models import Sum

from apps.accounts.models import ApiKey, Tier
from apps.billing.models import CreditAccount, CreditHold
from apps.core import refcache
from apps.core.errors import ApplicationError
from apps.jobs.models import Job, JobEvent
from apps.jobs.services import job_submit
from tests.billing.test_concurrency import billing_verify_is_clean
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PRICE = 7  # credits per job (the `priced` fixture)
THREADS = 16


def _tier(workspace, *, max_concurrent_jobs: int) -> None:
    workspace.tier = Tier.objects.create(
        name=f"t{max_concurrent_jobs}",
        display_name=f"T{max_concurrent_jobs}",
        max_upload_bytes=10**9,
        max_concurrent_jobs=max_concurrent_jobs,
        requests_per_minute=100_000,
    )
    workspace.save(update_fields=["tier"])


def _submitter(workspace, user, *, idempotency_key=None, api_key_id=None):
    def run(i: int) -> str:
        try:
            api_key = ApiKey.objects.get(pk=api_key_id) if api_key_id else None
            _job, created = job_submit(
                workspace=workspace,
                user=user,
                data={**TEXT_JOB, "prompt": "A red fox" if idempotency_key else f"Fox {i}"},
                idempotency_key=idempotency_key,
                api_key=api_key,
            )
            return "accepted" if created else "replayed"
        except ApplicationError as exc:
            return exc.code
        finally:
            connection.close()

    return run


def _held(workspace) -> int:
    return CreditAccount.objects.get(workspace=workspace).held


class RedisSends:
    """The commands sent to Redis (cache and broker) inside the block."""

    def __enter__(self):
        self.commands: list[bytes] = []
        self.packed: list[bytes] = []  # each command whole, arguments included
        self._orig = redis.connection.Connection.send_packed_command
        commands, packed_commands, orig = self.commands, self.packed, self._orig

        def send(conn, command, *args, **kwargs):
            packed = command if isinstance(command, bytes) else b"".join(command)
            commands.append(packed.split(b"\r\n")[2].upper())
            packed_commands.append(packed)
            return orig(conn, command, *args, **kwargs)

        redis.connection.Connection.send_packed_command = send
        return self

    def __exit__(self, *exc):
        redis.connection.Connection.send_packed_command = self._orig

    def assert_versions_came_with_the_key(self) -> None:
        """The request's first command was the key lookup, and it sent no MGET of
        process-copy versions (apps/core/refcache.py) of its own; other MGETs (a
        refusal's providers' health, say) are allowed."""
        assert self.commands[0] == b"EVALSHA", self.commands
        version_reads = [
            packed
            for command, packed in zip(self.commands, self.packed, strict=True)
            if command == b"MGET" and b"refcache:" in packed
        ]
        assert not version_reads, version_reads


class CountedCache(LocMemCache):
    """The copies' versions in this process only: another test process sharing the
    Redis test database (pytest -n) clears it and bumps versions, which would make this
    process reload its copies at random."""

    def __init__(self) -> None:
        super().__init__("submit-cost", {})
        self.reads = 0

    def get_many(self, keys, version=None):
        self.reads += 1
        return super().get_many(keys, version=version)


@pytest.fixture
def versions(monkeypatch) -> CountedCache:
    counted = CountedCache()
    monkeypatch.setattr(refcache, "cache", counted)
    return counted


def test_an_accepted_submit_with_a_key_budget_is_seven_queries_and_one_publish(
    alice, priced, not_eager, versions, django_assert_num_queries
):
    """BEGIN; lock the workspace; count its active jobs; hold (the account's UPDATE …
    RETURNING with the hold's INSERT); the key's month (one conditional UPDATE); INSERT
    job and event (one statement); COMMIT. The catalogue's overrides and the moderation
    terms come from the process's copies."""
    fund(alice.workspace, 100)
    _tier(alice.workspace, max_concurrent_jobs=100)
    key = ApiKey.objects.get(workspace=alice.workspace)
    key.monthly_credit_limit = 1000
    key.save()
    submit = _submitter(alice.workspace, alice.user, api_key_id=key.pk)
    assert submit(0) == "accepted"  # the first month's row, the copies loaded
    key = ApiKey.objects.get(pk=key.pk)
    versions.reads = 0
    with django_assert_num_queries(7), RedisSends() as sent:
        job, created = job_submit(
            workspace=alice.workspace, user=alice.user, data=TEXT_JOB, api_key=key
        )
    assert created and job.hold.credits == PRICE
    assert JobEvent.objects.filter(job=job).count() == 1
    if settings.CELERY_BROKER_URL.startswith("redis"):
        # One LPUSH to the broker, and no SUBSCRIBE/UNSUBSCRIBE to a result channel.
        assert sent.commands == [b"LPUSH"]
    # The override and term copies' versions: one read (an MGET on Redis) for both.
    assert versions.reads == 1
    assert _held(alice.workspace) == 2 * PRICE


def test_an_accepted_submit_without_a_key_is_six_queries(
    alice, priced, not_eager, versions, django_assert_num_queries
):
    fund(alice.workspace, 100)
    _tier(alice.workspace, max_concurrent_jobs=100)
    job_submit(workspace=alice.workspace, user=alice.user, data=TEXT_JOB)
    with django_assert_num_queries(6):
        job_submit(workspace=alice.workspace, user=alice.user, data=TEXT_JOB)
    assert _held(alice.workspace) == 2 * PRICE


def test_concurrent_submits_against_a_small_balance_never_overdraw(
    alice, priced, not_eager, capsys
):
    fund(alice.workspace, 10 * PRICE + PRICE - 1)  # room for exactly 10 jobs
    _tier(alice.workspace, max_concurrent_jobs=10_000)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = Counter(pool.map(_submitter(alice.workspace, alice.user), range(40)))
    assert outcomes == {"accepted": 10, "INSUFFICIENT_CREDITS": 30}
    account = CreditAccount.objects.get(workspace=alice.workspace)
    assert (account.balance, account.held) == (11 * PRICE - 1, 10 * PRICE)
    assert Job.objects.filter(workspace=alice.workspace).count() == 10
    held = CreditHold.objects.filter(workspace=alice.workspace, state="held")
    assert held.aggregate(s=Sum("credits"))["s"] == 10 * PRICE
    assert billing_verify_is_clean()
    with capsys.disabled():
        print(f"\n  40 submits / {THREADS} threads against 10 jobs' credits: {dict(outcomes)}")


def test_concurrent_submits_never_pass_the_tiers_concurrency_limit(alice, priced, not_eager):
    fund(alice.workspace, 10_000)
    _tier(alice.workspace, max_concurrent_jobs=5)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = Counter(pool.map(_submitter(alice.workspace, alice.user), range(30)))
    assert outcomes == {"accepted": 5, "RATE_LIMIT_EXCEEDED": 25}
    assert Job.objects.filter(workspace=alice.workspace).count() == 5
    assert _held(alice.workspace) == 5 * PRICE
    assert billing_verify_is_clean()


def test_concurrent_submits_with_one_idempotency_key_make_one_job_and_one_hold(
    alice, priced, not_eager
):
    fund(alice.workspace, 10_000)
    _tier(alice.workspace, max_concurrent_jobs=100)
    run = _submitter(alice.workspace, alice.user, idempotency_key="one-key")
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = Counter(pool.map(run, range(20)))
    assert outcomes == {"accepted": 1, "replayed": 19}
    assert Job.objects.filter(workspace=alice.workspace).count() == 1
    assert CreditHold.objects.filter(workspace=alice.workspace).count() == 1
    assert _held(alice.workspace) == PRICE
    assert billing_verify_is_clean()
