"""Recomputes every account from its entries and holds (`manage.py billing_verify`)."""

from collections.abc import Iterator

from django.db.models import Count, Q, Sum

from apps.billing.models import CreditAccount, CreditHold, LedgerEntry


def account_drift(account: CreditAccount) -> list[str]:
    """What is wrong with one account; empty when its cache matches its history."""
    problems: list[str] = []
    running = 0
    for entry_id, credits, balance_after in (
        LedgerEntry.objects.filter(account=account)
        .order_by("id")
        .values_list("id", "credits", "balance_after")
    ):
        running += credits
        if running != balance_after:
            problems.append(
                f"entry {entry_id}: balance_after {balance_after}, replay gives {running}"
            )
            running = balance_after  # report each break once, not every entry after it
    total = (
        LedgerEntry.objects.filter(account=account).aggregate(total=Sum("credits"))["total"] or 0
    )
    if total != account.balance:
        problems.append(f"balance {account.balance}, entries sum to {total}")
    held = (
        CreditHold.objects.filter(account=account, state=CreditHold.State.HELD).aggregate(
            total=Sum("credits")
        )["total"]
        or 0
    )
    if held != account.held:
        problems.append(f"held {account.held}, open holds sum to {held}")
    if account.balance < account.held and not account.in_debt:
        problems.append(f"available {account.balance - account.held} below 0 without debt")
    settled_wrong = (
        CreditHold.objects.filter(account=account)
        .annotate(captures=Count("entries", filter=Q(entries__kind=LedgerEntry.Kind.CAPTURE)))
        .filter(
            Q(captures__gt=1)
            | Q(state=CreditHold.State.HELD, captures__gt=0)
            | Q(state=CreditHold.State.RELEASED, captures__gt=0)
            | Q(state=CreditHold.State.CAPTURED, captured_credits__gt=0, captures=0)
        )
        .values_list("public_id", flat=True)
    )
    problems.extend(f"hold {pid}: capture entries do not match its state" for pid in settled_wrong)
    return problems


def accounts_drift() -> Iterator[tuple[CreditAccount, list[str]]]:
    for account in CreditAccount.objects.select_related("workspace").order_by("pk").iterator():
        problems = account_drift(account)
        if problems:
            yield account, problems
