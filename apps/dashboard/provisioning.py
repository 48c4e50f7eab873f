"""Composes provisioning across apps (dashboard is the top layer and may import all)."""

from apps.accounts.models import Workspace
from apps.billing.services import credits_grant


def provision_credits(*, workspace: Workspace, credits: int) -> None:
    """Grants provisioning credits, once per workspace however often it is called."""
    credits_grant(
        workspace=workspace,
        credits=credits,
        idempotency_key=f"provision:{workspace.public_id}",
        reason="create_workspace",
    )
