from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

# The audit log has its own module; imported here so Django registers it with accounts.
from apps.accounts.audit_models import AuditAction, AuditEvent  # noqa: F401
from apps.accounts.scopes import default_scopes
from apps.core.models import BaseModel, PublicIdField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Logs in with an email address. `is_staff` marks platform staff (moderation,
    billing adjustments), which no workspace role grants."""

    public_id = PublicIdField(prefix="usr")
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The workspace the dashboard shows; API keys carry their own workspace.
    active_workspace = models.ForeignKey(
        "Workspace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email


class Tier(models.Model):
    """A plan's limits. Rows (free, pro, enterprise) are seeded by a migration and edited
    in the admin; changes apply on the next request."""

    name = models.SlugField(max_length=32, unique=True)
    display_name = models.CharField(max_length=64)
    max_upload_bytes = models.BigIntegerField(help_text="Largest single upload, in bytes.")
    storage_quota_bytes = models.BigIntegerField(
        null=True, blank=True, help_text="Total storage in bytes; empty = unlimited."
    )
    max_concurrent_jobs = models.PositiveIntegerField()
    requests_per_minute = models.PositiveIntegerField()
    monthly_credits = models.PositiveIntegerField(
        default=0, help_text="Credits included each month (credits)."
    )
    credit_discount_percent = models.PositiveSmallIntegerField(
        default=0, help_text="Discount on every job's price, in percent."
    )
    max_webhook_endpoints = models.PositiveIntegerField(
        default=5, help_text="Webhook endpoints a workspace may have."
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("sort_order", "name")

    def __str__(self) -> str:
        return self.display_name


class Workspace(BaseModel):
    """The tenant: every tenant-owned row points here."""

    public_id = PublicIdField(prefix="ws")
    name = models.CharField(max_length=120)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="workspaces")
    is_personal = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="created_workspaces"
    )
    # Bytes held in storage (uploads and results), kept by gallery's storage accounting.
    storage_used_bytes = models.BigIntegerField(default=0)
    # Closure (apps/jobs/closure.py): access stops at `closed_at`; media and personal data
    # are erased once `erase_after` has passed (the owner may reopen until then), and
    # `erased_at` marks the anonymised row the ledger keeps pointing at.
    closed_at = models.DateTimeField(null=True, blank=True)
    erase_after = models.DateTimeField(null=True, blank=True, db_index=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    members = models.ManyToManyField(User, through="Membership", related_name="workspaces")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(storage_used_bytes__gte=0), name="workspace_storage_nonneg"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class Membership(BaseModel):
    public_id = PublicIdField(prefix="mem")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def can_manage(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN)


class ApiKey(BaseModel):
    """A workspace's API key. Only a SHA-256 of the full secret is kept: the secret is
    256 bits of randomness, so a fast hash is as strong as a slow one and keeps auth cheap.
    `prefix` is the non-secret part shown in lists and used to find the row."""

    public_id = PublicIdField(prefix="key")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_keys")
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    hashed_secret = models.CharField(max_length=64)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # What the key may do (apps/accounts/scopes.py); every scope but `admin` by default.
    scopes = models.JSONField(default=default_scopes)
    # Catalog model ids, or prefixes ending in "/" ("local/"); empty = every model.
    allowed_models = models.JSONField(default=list, blank=True)
    # Credits the key may spend per calendar month (UTC): captured plus still held for
    # jobs it submitted. Null = no limit beyond the workspace's balance.
    monthly_credit_limit = models.PositiveBigIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def allows_model(self, model_id: str) -> bool:
        return not self.allowed_models or any(
            model_id == allowed or (allowed.endswith("/") and model_id.startswith(allowed))
            for allowed in self.allowed_models
        )


class ApiKeyMonthlySpend(models.Model):
    """A key's spend in one calendar month (UTC), for `monthly_credit_limit`: credits
    held for its jobs plus credits captured from them. Changed only by billing's hold,
    capture and release, under the workspace's credit-account lock and this row's own
    lock (apps/accounts/budgets.py), so it stays exact under concurrent submits. A hold
    counts in the month it was made."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="monthly_spend")
    month = models.DateField(help_text="The first day of the month (UTC).")
    credits = models.BigIntegerField(default=0, help_text="Held + captured (credits).")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "month"], name="api_key_spend_unique"),
            models.CheckConstraint(condition=models.Q(credits__gte=0), name="api_key_spend_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.api_key_id} {self.month:%Y-%m}: {self.credits}"
