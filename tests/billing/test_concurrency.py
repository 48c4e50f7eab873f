"""Row locks under real contention (PostgreSQL). Each worker thread has its own database
connection and closes it when done."""

import io
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection

from apps.billing import services
from apps.billing.models import CheckoutSession, CreditAccount, CreditHold, LedgerEntry, StripeEvent
from apps.core.errors import ApplicationError
from tests.billing.conftest import deliver, stripe_event

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

THREADS = 32


def in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


def billing_verify_is_clean() -> bool:
    try:
        call_command("billing_verify", stdout=io.StringIO())
    except SystemExit:
        return False
    return True


def test_1000_concurrent_holds_against_100_credits_give_exactly_100(alice, capsys):
    services.credits_grant(workspace=alice.workspace, credits=100, idempotency_key="seed")
    lowest_available = []
    done = threading.Event()

    @in_thread
    def watch():
        while not done.is_set():
            acct = CreditAccount.objects.get(workspace=alice.workspace)
            lowest_available.append(acct.balance - acct.held)

    @in_thread
    def hold(i: int) -> str:
        try:
            services.credits_hold(workspace=alice.workspace, credits=1, reference=f"job_{i}")
        except ApplicationError as exc:
            assert exc.status == 402
            return exc.code
        return "held"

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = Counter(pool.map(hold, range(1000)))
    elapsed = time.monotonic() - started
    done.set()
    watcher.join()

    assert outcomes == {"held": 100, "INSUFFICIENT_CREDITS": 900}
    acct = CreditAccount.objects.get(workspace=alice.workspace)
    assert (acct.balance, acct.held, acct.available) == (100, 100, 0)
    assert CreditHold.objects.filter(workspace=alice.workspace).count() == 100
    assert min(lowest_available) >= 0
    assert billing_verify_is_clean()
    with capsys.disabled():
        print(f"\n  1000 holds / {THREADS} threads: {dict(outcomes)} in {elapsed:.2f}s")


def test_capture_racing_release_takes_effect_exactly_once_each_time(alice, capsys):
    services.credits_grant(workspace=alice.workspace, credits=10_000, idempotency_key="seed")
    wins: Counter[str] = Counter()

    for i in range(100):
        hold = services.credits_hold(workspace=alice.workspace, credits=7, reference=f"job_{i}")
        barrier = threading.Barrier(2)

        @in_thread
        def settle(action: str, hold=hold, barrier=barrier) -> str | None:
            barrier.wait()
            if action == "capture":
                result = services.credits_capture(hold=hold)
                return "capture" if result.state == CreditHold.State.CAPTURED else None
            result = services.credits_release(hold=hold)
            return "release" if result.state == CreditHold.State.RELEASED else None

        with ThreadPoolExecutor(max_workers=2) as pool:
            effects = [e for e in pool.map(settle, ["capture", "release"]) if e]
        assert len(effects) == 1, f"round {i}: {effects}"
        wins[effects[0]] += 1
        hold.refresh_from_db()
        captures = LedgerEntry.objects.filter(hold=hold, kind="capture").count()
        assert captures == (1 if hold.state == CreditHold.State.CAPTURED else 0)

    acct = CreditAccount.objects.get(workspace=alice.workspace)
    assert acct.held == 0
    assert acct.balance == 10_000 - 7 * wins["capture"]
    assert billing_verify_is_clean()
    with capsys.disabled():
        print(f"\n  100 capture/release races: {dict(wins)}, exactly one effect each")


def test_concurrent_grants_with_one_key_grant_once(alice):
    @in_thread
    def grant(_: int) -> int:
        return services.credits_grant(
            workspace=alice.workspace, credits=50, idempotency_key="same"
        ).pk

    with ThreadPoolExecutor(max_workers=10) as pool:
        ids = set(pool.map(grant, range(10)))
    assert len(ids) == 1
    assert CreditAccount.objects.get(workspace=alice.workspace).balance == 50


def test_the_same_event_delivered_10_times_concurrently_grants_once(webhook_secret, alice, pack):
    row = CheckoutSession.objects.create(
        workspace=alice.workspace,
        session_id="cs_concurrent",
        mode="payment",
        pack=pack,
        credits=pack.credits,
    )
    session = {"id": row.session_id, "mode": "payment", "payment_status": "paid"}
    event = stripe_event("checkout.session.completed", session)
    barrier = threading.Barrier(10)

    def post(_: int) -> int:
        try:
            barrier.wait()
            return deliver(event).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(post, range(10)))
    assert statuses == [200] * 10
    assert CreditAccount.objects.get(workspace=alice.workspace).balance == 500
    assert LedgerEntry.objects.filter(workspace=alice.workspace).count() == 1
    assert StripeEvent.objects.get(event_id=event["id"]).attempts == 1
