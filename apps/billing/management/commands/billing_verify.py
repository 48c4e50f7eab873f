"""Recomputes every credit account from its ledger entries and holds and reports drift.
Exit status 0 when clean, 1 on any drift."""

from typing import Any

from django.core.management.base import BaseCommand

from apps.billing.models import CreditAccount
from apps.billing.verification import accounts_drift


class Command(BaseCommand):
    help = "Check every credit account against its ledger entries and holds (exit 1 on drift)."

    def handle(self, *args: Any, **opts: Any) -> None:
        drifted = 0
        for account, problems in accounts_drift():
            drifted += 1
            for problem in problems:
                self.stdout.write(f"DRIFT {account.workspace.public_id}: {problem}")
        total = CreditAccount.objects.count()
        if drifted:
            self.stderr.write(f"{drifted} of {total} credit accounts drifted.")
            raise SystemExit(1)
        self.stdout.write(f"OK: {total} credit accounts match their ledgers.")
