"""`credits_low` fires once each time available credits fall below the threshold, inside
the transaction of the change that crossed it (PostgreSQL: row locks, real commits)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from apps.billing import services
from apps.billing.models import CreditAccount, StripeEvent
from apps.billing.signals import credits_low
from apps.core.errors import ApplicationError
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def sent():
    """Every credits_low sent, as (workspace, available, threshold)."""
    calls: list[tuple] = []
    lock = threading.Lock()

    def receiver(sender, workspace, available, threshold, **kwargs):
        with lock:
            calls.append((workspace, available, threshold))

    credits_low.connect(receiver, dispatch_uid="test.credits_low")
    yield calls
    credits_low.disconnect(dispatch_uid="test.credits_low")


def grant(actor, credits: int, key: str):
    return services.credits_grant(workspace=actor.workspace, credits=credits, idempotency_key=key)


def hold(actor, credits: int, **kw):
    return services.credits_hold(workspace=actor.workspace, credits=credits, **kw)


def set_threshold(actor, threshold):
    services.low_credit_threshold_set(workspace=actor.workspace, threshold=threshold)


def test_a_hold_that_crosses_the_threshold_sends_credits_low_once(alice, sent):
    grant(alice, 100, "g")  # default threshold: 10
    hold(alice, 85)
    assert sent == []  # 15 left
    hold(alice, 6)
    assert sent == [(alice.workspace, 9, 10)]


def test_spending_while_below_the_threshold_sends_nothing_more(alice, sent):
    grant(alice, 100, "g")
    hold(alice, 95)
    hold(alice, 3)
    hold(alice, 2)
    assert [available for _, available, _ in sent] == [5]


def test_landing_exactly_on_the_threshold_is_not_below_it(alice, sent):
    grant(alice, 100, "g")
    hold(alice, 90)
    assert sent == []
    hold(alice, 1)
    assert [available for _, available, _ in sent] == [9]


def test_a_grant_that_lifts_available_above_lets_the_next_fall_send_again(alice, sent):
    set_threshold(alice, 20)
    grant(alice, 100, "g1")
    hold(alice, 90)
    grant(alice, 50, "g2")  # 60 available: above again, and a rise sends nothing
    assert len(sent) == 1
    hold(alice, 45)
    assert [(available, threshold) for _, available, threshold in sent] == [(10, 20), (15, 20)]


def test_the_default_threshold_is_ten_percent_of_the_last_grant_rounded_up(alice, sent):
    grant(alice, 1000, "big")
    grant(alice, 15, "small")  # the last grant: threshold ceil(1.5) = 2
    hold(alice, 1013)
    assert sent == []  # 2 left is not below 2
    hold(alice, 1)
    assert sent == [(alice.workspace, 1, 2)]


def test_a_purchase_counts_as_the_last_grant(alice, sent):
    grant(alice, 10, "g")
    services.credits_grant(
        workspace=alice.workspace, credits=500, idempotency_key="checkout:cs_1", kind="purchase"
    )
    hold(alice, 461)
    assert sent == [(alice.workspace, 49, 50)]


def test_a_workspace_without_any_grant_never_gets_credits_low(alice, sent):
    services.credits_adjust(
        workspace=alice.workspace, credits=100, reason="goodwill", idempotency_key="a"
    )
    hold(alice, 100)
    assert sent == []


def test_a_threshold_of_zero_disables_credits_low(alice, sent):
    set_threshold(alice, 0)
    grant(alice, 100, "g")
    hold(alice, 100)
    assert sent == []


def test_the_workspace_threshold_replaces_the_default(alice, sent):
    set_threshold(alice, 50)
    grant(alice, 100, "g")
    hold(alice, 51)
    assert sent == [(alice.workspace, 49, 50)]
    set_threshold(alice, None)  # back to the default, 10
    grant(alice, 100, "g2")
    hold(alice, 140)
    assert sent[1:] == [(alice.workspace, 9, 10)]


def test_changing_the_threshold_alone_sends_nothing(alice, sent):
    grant(alice, 100, "g")
    hold(alice, 60)
    set_threshold(alice, 50)  # 40 available is now below, but nothing fell
    assert sent == []
    hold(alice, 1)  # still below: no crossing either
    assert sent == []


def test_a_negative_adjustment_that_crosses_sends_credits_low(alice, sent):
    grant(alice, 100, "g")
    staff = UserFactory()
    staff.is_staff = True
    services.credits_adjust(
        workspace=alice.workspace, credits=-95, reason="fix", idempotency_key="a", actor=staff
    )
    assert sent == [(alice.workspace, 5, 10)]


def test_a_refund_claw_back_into_debt_reports_zero_available(alice, sent):
    grant(alice, 100, "g")
    hold(alice, 50)
    services.credits_adjust(
        workspace=alice.workspace,
        credits=-100,
        reason="charge refunded",
        idempotency_key="refund:ch_1",
        allow_debt=True,
    )
    assert sent == [(alice.workspace, 0, 10)]


def test_capture_and_release_never_lower_available_so_never_send(alice, sent):
    grant(alice, 100, "g")
    first = hold(alice, 50)
    second = hold(alice, 45)
    assert len(sent) == 1
    services.credits_capture(hold=first, credits=20)  # 30 come back
    services.credits_release(hold=second)
    services.credits_capture(hold=hold(alice, 75))  # crosses: the hold sends, not the capture
    assert [available for _, available, _ in sent] == [5, 5]


def test_a_replayed_hold_sends_nothing(alice, sent):
    grant(alice, 100, "g")
    hold(alice, 95, idempotency_key="job_1")
    hold(alice, 95, idempotency_key="job_1")
    assert len(sent) == 1


def test_a_refused_hold_sends_nothing(alice, sent):
    grant(alice, 100, "g")
    with pytest.raises(ApplicationError):
        hold(alice, 101)
    assert sent == []


def test_each_workspace_is_told_about_its_own_credits_only(alice, charlie, sent):
    grant(alice, 100, "ga")
    grant(charlie, 1000, "gc")
    hold(alice, 95)
    hold(charlie, 10)
    assert sent == [(alice.workspace, 5, 10)]


# --- in the transaction ---------------------------------------------------------------


@pytest.fixture
def outbox():
    """A receiver that writes a row in the sender's transaction, as the webhook outbox
    will (StripeEvent stands in for an outbox table: any row of ours will do)."""

    def receiver(sender, workspace, available, threshold, **kwargs):
        assert connection.in_atomic_block
        StripeEvent.objects.create(
            event_id=f"credits.low:{workspace.public_id}:{available}",
            type="credits.low",
            payload={"available": available, "threshold": threshold},
        )

    credits_low.connect(receiver, dispatch_uid="test.outbox")
    yield lambda: list(StripeEvent.objects.filter(type="credits.low").values_list("payload"))
    credits_low.disconnect(dispatch_uid="test.outbox")


@pytest.mark.django_db(transaction=True)
def test_the_receivers_row_commits_with_the_hold(alice, outbox):
    grant(alice, 100, "g")
    hold(alice, 95)
    assert outbox() == [({"available": 5, "threshold": 10},)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_hold_leaves_no_receiver_row_and_may_cross_again(alice, outbox):
    grant(alice, 100, "g")
    with pytest.raises(RuntimeError), transaction.atomic():
        hold(alice, 95)
        assert len(outbox()) == 1  # written inside the transaction...
        raise RuntimeError("the job submit failed after the hold")
    assert outbox() == []  # ...and gone with it
    assert CreditAccount.objects.get(workspace=alice.workspace).held == 0
    hold(alice, 95)
    assert outbox() == [({"available": 5, "threshold": 10},)]


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_fails_rolls_the_hold_back(alice):
    grant(alice, 100, "g")

    def broken(sender, **kwargs):
        raise RuntimeError("outbox down")

    credits_low.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError):
            hold(alice, 95)
    finally:
        credits_low.disconnect(dispatch_uid="test.broken")
    assert CreditAccount.objects.get(workspace=alice.workspace).held == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_holds_across_the_threshold_send_it_exactly_once(alice, sent):
    grant(alice, 100, "g")  # threshold 10
    hold(alice, 80)  # 20 left; 20 racing one-credit holds cross at the 11th

    def one(i: int) -> None:
        try:
            hold(alice, 1, reference=f"job_{i}")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(20)))
    assert CreditAccount.objects.get(workspace=alice.workspace).available == 0
    assert [(available, threshold) for _, available, threshold in sent] == [(9, 10)]
