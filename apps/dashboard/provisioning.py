"""Composes provisioning across apps (dashboard is the top layer and may import all)."""

from apps.accounts.models import Workspace


def credits_grant_hook(*, workspace: Workspace, credits: int) -> None:
    """Grants provisioning credits. Until the billing app exists this accepts and ignores
    them, as the foundation issue allows."""
    try:
        from apps.billing.services import credits_grant  # type: ignore[import-not-found]
    except ImportError:
        return
    credits_grant(
        workspace=workspace,
        credits=credits,
        idempotency_key=f"provision:{workspace.public_id}",
        reason="create_workspace",
    )
