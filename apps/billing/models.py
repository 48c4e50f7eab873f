"""Credits, the ledger that explains them, and what Stripe told us.

Money rules (docs/billing.md has the long story):
- Credits are integers. `CreditAccount` caches `balance` and `held`; only the services in
  billing/services.py change them, under a row lock, in the same transaction as the
  `LedgerEntry` or `CreditHold` that explains the change.
- `LedgerEntry` is append-only: the model refuses updates and deletes, and the database
  refuses them too (a trigger; see migration 0002).
"""

from typing import Any, NoReturn

from django.db import models
from django.db.models import F, Q

from apps.accounts.models import ApiKey, Tier, User, Workspace
from apps.core.models import BaseModel, PublicIdField


class CreditAccount(BaseModel):
    """One per workspace, opened when the workspace is created."""

    # An empty account goes with its workspace; one with history is kept by its entries.
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="credit_account"
    )
    # credits; the sum of every LedgerEntry.credits. Negative only after a Stripe refund
    # took back credits that had already been spent (the account is then in debt).
    balance = models.BigIntegerField(default=0)
    # credits; the sum of the open (state=held) CreditHolds.
    held = models.BigIntegerField(default=0)
    # Set only by a refund claw-back that leaves balance < held; cleared by the service that
    # brings balance back to >= held. While set, holds are refused.
    in_debt = models.BooleanField(default=False)
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    # credits; `credits.low` fires when `available` falls below it. Set by the workspace's
    # owners and admins; null = 10 % of the last grant or purchase (rounded up); 0 = never.
    low_credit_threshold = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(held__gte=0), name="credit_account_held_nonneg"),
            models.CheckConstraint(
                condition=Q(low_credit_threshold__gte=0),
                name="credit_account_low_credit_threshold_nonneg",
            ),
            # available = balance - held >= 0, enforced by the database: two racing holds
            # that both passed the Python check cannot both commit. The only exception is
            # an account a refund claw-back put into debt (see in_debt).
            models.CheckConstraint(
                condition=Q(balance__gte=F("held")) | Q(in_debt=True),
                name="credit_account_available_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workspace} ({self.balance} credits)"

    @property
    def available(self) -> int:
        """Credits a new hold may take (credits); never below 0."""
        return max(0, self.balance - self.held)

    @property
    def debt(self) -> int:
        """Credits owed after a refund claw-back (credits); 0 when not in debt."""
        return max(0, self.held - self.balance)


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("Ledger entries are append-only; write a new entry instead.")

    def delete(self) -> NoReturn:
        raise TypeError("Ledger entries are append-only; write a new entry instead.")


class LedgerEntry(models.Model):
    """One change to a balance. Never updated or deleted: corrections are new entries."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", "Purchase"
        GRANT = "grant", "Grant"
        CAPTURE = "capture", "Capture"
        REFUND = "refund", "Refund"
        ADJUSTMENT = "adjustment", "Adjustment"
        EXPIRY = "expiry", "Expiry"

    public_id = PublicIdField(prefix="led")
    # No index of its own: (workspace, -created_at, -id) in Meta leads with it.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    credits = models.BigIntegerField(help_text="Signed change to the balance (credits).")
    balance_after = models.BigIntegerField(help_text="The balance after this entry (credits).")
    idempotency_key = models.CharField(max_length=255, unique=True)
    # What caused it: a Checkout Session id, invoice id, charge id, job id, "admin", ...
    reference = models.CharField(max_length=255, blank=True, db_index=True)
    hold = models.ForeignKey(
        "CreditHold", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    description = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "ledger entries"
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["workspace", "-created_at", "-id"])]
        constraints = [
            models.CheckConstraint(condition=~Q(credits=0), name="ledger_entry_nonzero"),
            # A hold is captured at most once.
            models.UniqueConstraint(
                fields=["hold"], condition=Q(kind="capture"), name="ledger_one_capture_per_hold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.credits:+d} → {self.balance_after}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Ledger entries are append-only; write a new entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Ledger entries are append-only; write a new entry instead.")


class CreditHold(BaseModel):
    """Credits reserved for something (a job) until it is captured or released, once."""

    class State(models.TextChoices):
        HELD = "held", "Held"
        CAPTURED = "captured", "Captured"
        RELEASED = "released", "Released"

    public_id = PublicIdField(prefix="hold")
    # No index of its own: (workspace, state) in Meta leads with it.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="holds")
    credits = models.BigIntegerField(help_text="Credits reserved (credits).")
    captured_credits = models.BigIntegerField(
        default=0, help_text="Credits actually charged on capture (credits)."
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.HELD)
    # What it is for, e.g. a job's public id.
    reference = models.CharField(max_length=255, blank=True, db_index=True)
    description = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    # The API key whose job this hold is for: its monthly_credit_limit counts the hold
    # (apps/accounts/budgets.py). Null for dashboard and system holds.
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["workspace", "state"])]
        constraints = [
            models.CheckConstraint(condition=Q(credits__gt=0), name="credit_hold_positive"),
            models.CheckConstraint(
                condition=Q(captured_credits__gte=0, captured_credits__lte=F("credits")),
                name="credit_hold_captured_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.credits} ({self.state})"


class CreditPack(BaseModel):
    """Credits sold for a fixed price through Stripe Checkout; defined in the admin."""

    public_id = PublicIdField(prefix="pack")
    name = models.CharField(max_length=100)
    credits = models.PositiveIntegerField(help_text="Credits granted on payment (credits).")
    price_cents = models.PositiveIntegerField(
        help_text="Price in the currency's minor unit (cents)."
    )
    currency = models.CharField(max_length=3, default="usd", help_text="ISO code, lower case.")
    active = models.BooleanField(default=True)
    # Optional: a Stripe Price to use instead of an inline price.
    stripe_price_id = models.CharField(max_length=255, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("sort_order", "price_cents", "id")
        constraints = [
            models.CheckConstraint(condition=Q(credits__gt=0), name="credit_pack_credits_positive")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.credits} credits)"

    @property
    def price_label(self) -> str:
        return f"{self.price_cents / 100:,.2f} {self.currency.upper()}"


class TierPlan(BaseModel):
    """The Stripe Price a tier is sold at (monthly subscription); set in the admin."""

    tier = models.OneToOneField(Tier, on_delete=models.CASCADE, related_name="plan")
    stripe_price_id = models.CharField(max_length=255, unique=True)
    # For display only; Stripe's Price is the source of truth (cents).
    price_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.tier} at {self.stripe_price_id}"

    @property
    def price_label(self) -> str:
        return f"{self.price_cents / 100:,.2f} {self.currency.upper()}"


class CheckoutSession(BaseModel):
    """A Stripe Checkout Session we created. Fulfilment is keyed on `session_id`."""

    class Mode(models.TextChoices):
        PAYMENT = "payment", "Payment"
        SUBSCRIPTION = "subscription", "Subscription"

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    session_id = models.CharField(max_length=255, unique=True)
    mode = models.CharField(max_length=16, choices=Mode.choices)
    pack = models.ForeignKey(CreditPack, null=True, blank=True, on_delete=models.PROTECT)
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT)
    credits = models.PositiveIntegerField(default=0, help_text="Credits to grant (credits).")
    amount_cents = models.PositiveIntegerField(default=0, help_text="Price (cents).")
    currency = models.CharField(max_length=3, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    # Filled on fulfilment; a `charge.refunded` finds its purchase through it.
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.session_id


class Subscription(BaseModel):
    """The workspace's Stripe subscription as Stripe last reported it."""

    class Status(models.TextChoices):
        # Stripe's subscription statuses, verbatim.
        INCOMPLETE = "incomplete", "Incomplete"
        INCOMPLETE_EXPIRED = "incomplete_expired", "Incomplete (expired)"
        TRIALING = "trialing", "Trialing"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        CANCELED = "canceled", "Canceled"
        UNPAID = "unpaid", "Unpaid"
        PAUSED = "paused", "Paused"

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    stripe_subscription_id = models.CharField(max_length=255, unique=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=32, choices=Status.choices)
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT)
    cancel_at_period_end = models.BooleanField(default=False)
    current_period_end = models.DateTimeField(null=True, blank=True)
    # Last event applied (only consulted when the subscription cannot be re-read).
    last_event_created = models.BigIntegerField(default=0)

    GOOD_STANDING = (Status.ACTIVE, Status.TRIALING, Status.PAST_DUE)

    def __str__(self) -> str:
        return f"{self.stripe_subscription_id} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in self.GOOD_STANDING


class StripeEvent(models.Model):
    """Each Stripe event, stored once. A failed handler leaves status=failed and the error;
    Stripe's retry runs it again."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored (unhandled type)"
        FAILED = "failed", "Failed"

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-received_at",)

    def __str__(self) -> str:
        return f"{self.event_id} {self.type} ({self.status})"
