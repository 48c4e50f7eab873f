"""Signals billing sends to apps above it (webhooks), which it may not import.

- `credits_low(workspace, available, threshold)`: the workspace's available credits
  (`balance - held`, credits) fell from at or above its low-credit threshold (credits) to
  below it. Sent once per crossing, by whichever balance-changing service in
  `apps/billing/services.py` caused it (in practice a hold or a negative adjustment: a
  capture never lowers `available`); not sent again while `available` stays below, and
  sent again after a grant lifts it back to the threshold or above. The threshold is
  `CreditAccount.low_credit_threshold`, or 10 % of the last grant/purchase (rounded up)
  when unset; 0 disables it (see `selectors.low_credit_threshold_effective`).

  Sent INSIDE the service's transaction, while the account row is locked: a receiver
  writes its own rows (an outbox row) in that same transaction, so they commit with the
  balance change or roll back with it, and a rolled-back change leaves nothing behind.
  A receiver that raises rolls the credit change back too. Receivers must therefore be
  quick and do no network I/O; anything outside the database belongs in
  `transaction.on_commit`.
"""

from django.dispatch import Signal

credits_low = Signal()
