"""A new account gets its tier's included monthly credits at once; the beat grants the
following months; one grant per workspace per month however often, or however
concurrently, it runs (the ledger's idempotency key, checked under the account lock)."""

import datetime as dt
import threading

import pytest
from celery import current_app
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from apps.accounts.models import Tier, User
from apps.billing import services
from apps.billing.models import CreditAccount, LedgerEntry, Subscription
from apps.billing.tasks import grant_monthly_credits
from apps.dashboard.management.commands.demo_setup import DEMO_CREDITS, DEMO_EMAIL
from apps.dashboard.provisioning import account_signup


def account(workspace) -> CreditAccount:
    return CreditAccount.objects.get(workspace=workspace)


def monthly_entries(workspace) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(
            workspace=workspace, idempotency_key__startswith="monthly:"
        ).order_by("pk")
    )


@pytest.mark.django_db
def test_signing_up_on_the_page_gives_the_free_tiers_included_credits(client):
    response = client.post(
        "/signup/",
        {"email": "dana@example.com", "name": "Dana", "password": "a-long-pass-phrase-1"},
    )
    assert response.status_code == 302, response.content[:500]
    workspace = User.objects.get(email="dana@example.com").memberships.get().workspace
    included = Tier.objects.get(name="free").monthly_credits
    assert included == 100
    acct = account(workspace)
    assert (acct.balance, acct.held) == (included, 0)
    [entry] = monthly_entries(workspace)
    assert entry.credits == included
    assert entry.idempotency_key == f"monthly:{workspace.public_id}:{timezone.now():%Y-%m}"
    # The home page shows them.
    assert "100" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_beat_grants_nothing_more_in_the_signup_month_and_again_the_next():
    workspace = (
        account_signup(email="erin@example.com", password="pw-for-tests-1")
        .memberships.get()
        .workspace
    )
    today = timezone.now().date()
    assert services.monthly_credits_grant_due(today=today) == 0
    assert account(workspace).balance == 100
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert services.monthly_credits_grant_due(today=next_month) == 1
    assert services.monthly_credits_grant_due(today=next_month) == 0
    assert account(workspace).balance == 200
    assert [e.credits for e in monthly_entries(workspace)] == [100, 100]


@pytest.mark.django_db
def test_running_the_beat_task_twice_makes_one_grant(alice, charlie):
    assert grant_monthly_credits() == 2
    assert grant_monthly_credits() == 0
    for actor in (alice, charlie):
        assert account(actor.workspace).balance == 100
        assert len(monthly_entries(actor.workspace)) == 1


@pytest.mark.django_db
def test_a_grant_call_for_a_granted_month_changes_nothing(alice):
    today = dt.date(2026, 3, 5)
    assert services.monthly_credits_grant(workspace=alice.workspace, today=today) is True
    assert services.monthly_credits_grant(workspace=alice.workspace, today=today) is False
    assert services.monthly_credits_grant_due(today=today) == 0
    assert account(alice.workspace).balance == 100


@pytest.mark.django_db
def test_no_grant_for_a_tier_without_included_credits_or_a_paid_subscription(alice, charlie):
    Tier.objects.filter(pk=alice.workspace.tier.pk).update(monthly_credits=0)
    alice.workspace.refresh_from_db()
    assert services.monthly_credits_grant(workspace=alice.workspace) is False
    Tier.objects.filter(pk=alice.workspace.tier.pk).update(monthly_credits=100)
    Subscription.objects.create(
        workspace=charlie.workspace, stripe_subscription_id="sub_1", status="active"
    )
    charlie.workspace.refresh_from_db()
    assert services.monthly_credits_grant(workspace=charlie.workspace) is False
    assert account(alice.workspace).balance == account(charlie.workspace).balance == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_make_one_grant(alice):
    today = dt.date(2026, 5, 2)
    start = threading.Barrier(4)
    results: list[bool] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(services.monthly_credits_grant(workspace=alice.workspace, today=today))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [False, False, False, True]
    assert account(alice.workspace).balance == 100
    assert len(monthly_entries(alice.workspace)) == 1


def test_the_grant_runs_on_the_beat(settings):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values()]
    [entry] = [e for e in entries if e["task"] == "billing.grant_monthly_credits"]
    assert entry["schedule"] <= 24 * 3600  # at least daily: a new month is never late by more
    assert "billing.grant_monthly_credits" in current_app.tasks


@pytest.mark.django_db
def test_the_demo_workspace_gets_its_credits_and_the_included_ones_once(capsys):
    call_command("demo_setup")
    call_command("demo_setup")
    workspace = User.objects.get(email=DEMO_EMAIL).memberships.get().workspace
    assert account(workspace).balance == DEMO_CREDITS + 100
    assert "log in as" in capsys.readouterr().out
