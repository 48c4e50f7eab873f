"""Composes provisioning across apps (dashboard is the top layer and may import all)."""

from django.db import transaction

from apps.accounts.models import User, Workspace
from apps.accounts.services import user_signup
from apps.billing.services import credits_grant, monthly_credits_grant


def provision_credits(*, workspace: Workspace, credits: int) -> None:
    """Grants provisioning credits, once per workspace however often it is called."""
    credits_grant(
        workspace=workspace,
        credits=credits,
        idempotency_key=f"provision:{workspace.public_id}",
        reason="create_workspace",
    )


@transaction.atomic
def account_signup(*, email: str, password: str | None, name: str = "") -> User:
    """A new account: the user, their personal workspace and, at once, this month's
    credits included in its tier (the beat grants the following months, and never this
    one again: both use the ledger's per-workspace-per-month idempotency key)."""
    user = user_signup(email=email, password=password, name=name)
    workspace = user.memberships.get().workspace
    monthly_credits_grant(workspace=workspace)
    return user
