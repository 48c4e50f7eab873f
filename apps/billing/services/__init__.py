"""The only code that changes credit balances.

Every service locks the workspace's CreditAccount row (`select_for_update`) first, then
anything else it touches (a hold), and writes the ledger entry or hold together with the
cached totals in one transaction. Locks are always taken in that order (account, then
hold), so two services never deadlock on each other.

Idempotency: grant, refund and adjust take an `idempotency_key`; calling again with the
same key returns the entry written the first time and changes nothing (reusing a key for a
different change is a Conflict). Capture and release settle a hold at most once: whichever
comes first takes effect and every later call on that hold returns it unchanged.
"""

from apps.billing.services.core import credit_account_open
from apps.billing.services.holds import HoldTake, credits_capture, credits_hold, credits_release
from apps.billing.services.ledger import (
    LOW_CREDIT_THRESHOLD_MAX,
    credits_adjust,
    credits_grant,
    credits_refund,
    low_credit_threshold_set,
)
from apps.billing.services.monthly import (
    monthly_credits_grant,
    monthly_credits_grant_due,
    monthly_credits_key,
)

__all__ = [
    "LOW_CREDIT_THRESHOLD_MAX",
    "HoldTake",
    "credit_account_open",
    "credits_adjust",
    "credits_capture",
    "credits_grant",
    "credits_hold",
    "credits_refund",
    "credits_release",
    "low_credit_threshold_set",
    "monthly_credits_grant",
    "monthly_credits_grant_due",
    "monthly_credits_key",
]
