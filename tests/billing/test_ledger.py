import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from apps.billing import services
from apps.billing.models import CreditAccount, CreditHold, LedgerEntry, Subscription
from apps.core.errors import ApplicationError, Conflict, PermissionDenied, ValidationError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def account(actor) -> CreditAccount:
    return CreditAccount.objects.get(workspace=actor.workspace)


def grant(actor, credits: int, key: str = "g1"):
    return services.credits_grant(workspace=actor.workspace, credits=credits, idempotency_key=key)


def verify() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("billing_verify", stdout=out, stderr=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_a_new_workspace_gets_an_empty_credit_account(alice):
    acct = account(alice)
    assert (acct.balance, acct.held, acct.available) == (0, 0, 0)


def test_grant_writes_an_entry_and_the_cached_balance(alice):
    entry = grant(alice, 100)
    assert (entry.kind, entry.credits, entry.balance_after) == ("grant", 100, 100)
    assert account(alice).balance == 100


def test_grant_is_a_no_op_the_second_time_with_the_same_key(alice):
    first = grant(alice, 100)
    again = grant(alice, 100)
    assert again.pk == first.pk
    assert account(alice).balance == 100
    assert LedgerEntry.objects.count() == 1


def test_reusing_a_key_for_a_different_change_is_a_conflict(alice):
    grant(alice, 100)
    with pytest.raises(Conflict):
        grant(alice, 50)


def test_hold_reserves_credits_without_writing_an_entry(alice):
    grant(alice, 100)
    hold = services.credits_hold(workspace=alice.workspace, credits=30, reference="job_1")
    acct = account(alice)
    assert (acct.balance, acct.held, acct.available) == (100, 30, 70)
    assert hold.state == CreditHold.State.HELD
    assert LedgerEntry.objects.count() == 1


def test_hold_beyond_available_raises_insufficient_credits_with_the_shortfall(alice):
    grant(alice, 100)
    services.credits_hold(workspace=alice.workspace, credits=80)
    with pytest.raises(ApplicationError) as err:
        services.credits_hold(workspace=alice.workspace, credits=50)
    assert err.value.code == "INSUFFICIENT_CREDITS"
    assert err.value.status == 402
    assert err.value.details == {"required": 50, "available": 20, "shortfall": 30}
    assert account(alice).held == 80


def test_hold_with_an_idempotency_key_is_made_once(alice):
    grant(alice, 100)
    a = services.credits_hold(workspace=alice.workspace, credits=10, idempotency_key="job_1")
    b = services.credits_hold(workspace=alice.workspace, credits=10, idempotency_key="job_1")
    assert a.pk == b.pk
    assert account(alice).held == 10


def test_capture_charges_the_hold(alice):
    grant(alice, 100)
    hold = services.credits_hold(workspace=alice.workspace, credits=30, reference="job_1")
    hold = services.credits_capture(hold=hold)
    acct = account(alice)
    assert (acct.balance, acct.held, acct.available) == (70, 0, 70)
    assert hold.state == CreditHold.State.CAPTURED
    entry = LedgerEntry.objects.get(kind="capture")
    assert (entry.credits, entry.balance_after, entry.hold_id, entry.reference) == (
        -30,
        70,
        hold.pk,
        "job_1",
    )


def test_capture_of_less_than_held_returns_the_rest(alice):
    grant(alice, 100)
    hold = services.credits_hold(workspace=alice.workspace, credits=30)
    services.credits_capture(hold=hold, credits=12)
    acct = account(alice)
    assert (acct.balance, acct.held) == (88, 0)
    with pytest.raises(ValidationError):
        services.credits_capture(
            hold=services.credits_hold(workspace=alice.workspace, credits=5), credits=6
        )


def test_capture_is_a_no_op_the_second_time(alice):
    grant(alice, 100)
    hold = services.credits_hold(workspace=alice.workspace, credits=30)
    services.credits_capture(hold=hold)
    services.credits_capture(hold=hold)
    assert account(alice).balance == 70
    assert LedgerEntry.objects.filter(kind="capture").count() == 1


def test_release_after_capture_changes_nothing_and_vice_versa(alice):
    grant(alice, 100)
    captured = services.credits_hold(workspace=alice.workspace, credits=30)
    services.credits_capture(hold=captured)
    assert services.credits_release(hold=captured).state == CreditHold.State.CAPTURED
    released = services.credits_hold(workspace=alice.workspace, credits=20)
    services.credits_release(hold=released)
    assert services.credits_capture(hold=released).state == CreditHold.State.RELEASED
    acct = account(alice)
    assert (acct.balance, acct.held, acct.available) == (70, 0, 70)


def test_refund_gives_credits_back_up_to_what_the_hold_captured(alice):
    grant(alice, 100)
    hold = services.credits_capture(
        hold=services.credits_hold(workspace=alice.workspace, credits=30)
    )
    services.credits_refund(workspace=alice.workspace, credits=20, idempotency_key="r1", hold=hold)
    assert account(alice).balance == 90
    with pytest.raises(ValidationError):
        services.credits_refund(
            workspace=alice.workspace, credits=11, idempotency_key="r2", hold=hold
        )


def test_adjust_needs_staff_and_a_reason(alice):
    grant(alice, 100)
    with pytest.raises(PermissionDenied):
        services.credits_adjust(
            workspace=alice.workspace, credits=-5, reason="x", idempotency_key="a", actor=alice.user
        )
    staff = UserFactory(email="staff@example.com")
    staff.is_staff = True
    with pytest.raises(ValidationError):
        services.credits_adjust(
            workspace=alice.workspace, credits=-5, reason=" ", idempotency_key="a", actor=staff
        )
    entry = services.credits_adjust(
        workspace=alice.workspace, credits=-5, reason="goodwill", idempotency_key="a", actor=staff
    )
    assert (entry.kind, entry.credits, entry.created_by) == ("adjustment", -5, staff)
    assert account(alice).balance == 95


def test_a_negative_adjustment_cannot_take_held_credits(alice):
    grant(alice, 100)
    services.credits_hold(workspace=alice.workspace, credits=90)
    with pytest.raises(ApplicationError) as err:
        services.credits_adjust(
            workspace=alice.workspace, credits=-20, reason="oops", idempotency_key="a"
        )
    assert err.value.code == "INSUFFICIENT_CREDITS"
    assert account(alice).balance == 100


def test_a_workspace_in_debt_cannot_hold_until_it_is_settled(alice):
    grant(alice, 100)
    services.credits_capture(hold=services.credits_hold(workspace=alice.workspace, credits=80))
    services.credits_adjust(
        workspace=alice.workspace,
        credits=-100,
        reason="payment refunded",
        idempotency_key="refund:ch_1",
        allow_debt=True,
    )
    acct = account(alice)
    assert (acct.balance, acct.held, acct.available, acct.debt) == (-80, 0, 0, 80)
    with pytest.raises(ApplicationError) as err:
        services.credits_hold(workspace=alice.workspace, credits=1)
    assert err.value.code == "INSUFFICIENT_CREDITS"
    assert "owes 80 credits" in err.value.message
    assert err.value.details["debt"] == 80
    grant(alice, 100, key="g2")
    assert account(alice).balance == 20
    services.credits_hold(workspace=alice.workspace, credits=20)


def test_debt_taken_while_a_job_holds_credits_blocks_further_holds(alice):
    grant(alice, 100)
    hold = services.credits_hold(workspace=alice.workspace, credits=50)
    services.credits_adjust(
        workspace=alice.workspace,
        credits=-100,
        reason="refund",
        idempotency_key="x",
        allow_debt=True,
    )
    acct = account(alice)
    assert (acct.balance, acct.held, acct.in_debt, acct.available) == (0, 50, True, 0)
    with pytest.raises(ApplicationError):
        services.credits_hold(workspace=alice.workspace, credits=1)
    services.credits_release(hold=hold)  # the job failed: nothing owed any more
    acct = account(alice)
    assert (acct.balance, acct.held, acct.in_debt) == (0, 0, False)
    assert verify()[0] == 0


def test_the_database_refuses_available_below_zero(alice):
    grant(alice, 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditAccount.objects.filter(workspace=alice.workspace).update(held=F("balance") + 1)


def test_ledger_entries_cannot_be_updated_or_deleted(alice):
    entry = grant(alice, 10)
    entry.credits = 1_000_000
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(credits=1)
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    # Not even raw SQL: the database has a trigger.
    with pytest.raises(Exception), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE billing_ledgerentry SET credits = 1 WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).credits == 10


def test_billing_verify_is_clean_and_reports_drift_with_exit_1(alice, charlie):
    grant(alice, 100)
    services.credits_capture(hold=services.credits_hold(workspace=alice.workspace, credits=5))
    services.credits_hold(workspace=alice.workspace, credits=7)
    code, out = verify()
    assert code == 0, out
    assert "OK" in out
    CreditAccount.objects.filter(workspace=alice.workspace).update(balance=F("balance") + 1)
    code, out = verify()
    assert code == 1
    assert alice.workspace.public_id in out
    assert "balance 96, entries sum to 95" in out
    assert charlie.workspace.public_id not in out


def test_create_workspace_with_credits_grants_them_once(db):
    out = io.StringIO()
    call_command("create_workspace", "--email", "demo@example.com", "--credits", "250", stdout=out)
    ws_id = json.loads(out.getvalue())["workspace"]
    acct = CreditAccount.objects.get(workspace__public_id=ws_id)
    assert acct.balance == 250
    entry = LedgerEntry.objects.get(workspace__public_id=ws_id)
    assert entry.idempotency_key == f"provision:{ws_id}"


def test_monthly_credits_are_granted_once_per_calendar_month(alice, charlie):
    today = dt.date(2026, 3, 5)
    assert services.monthly_credits_grant_due(today=today) == 2
    assert services.monthly_credits_grant_due(today=today.replace(day=28)) == 0
    assert account(alice).balance == alice.workspace.tier.monthly_credits == 100
    assert services.monthly_credits_grant_due(today=dt.date(2026, 4, 1)) == 2
    assert account(alice).balance == 200


def test_monthly_credits_skip_workspaces_paid_through_a_subscription(alice, charlie):
    Subscription.objects.create(
        workspace=charlie.workspace, stripe_subscription_id="sub_1", status="active"
    )
    assert services.monthly_credits_grant_due(today=dt.date(2026, 3, 5)) == 1
    assert account(charlie).balance == 0


def test_the_monthly_task_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "billing.grant_monthly_credits" in tasks


def test_a_workspace_with_credit_history_cannot_be_deleted_but_an_empty_one_can(alice, charlie):
    from django.db.models import ProtectedError

    grant(alice, 10)
    with pytest.raises(ProtectedError), transaction.atomic():
        alice.workspace.delete()
    # (charlie's own workspace has an audit trail — its test key's creation — which
    # protects it like a ledger does; a workspace with no history at all can go.)
    from apps.accounts.services import workspace_create

    empty = workspace_create(owner=charlie.user, name="Empty")
    empty.delete()
    assert not CreditAccount.objects.filter(workspace_id=empty.pk).exists()
