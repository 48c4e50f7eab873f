"""Workspace closure (docs/operations.md, "Workspace export and closure").

`workspace_close` stops access at once: the workspace is marked closed (API requests and
pages refuse it, apps/accounts/permissions.py and decorators.py), every API key is revoked
and every job still in flight is cancelled through `job_cancel`, which releases its hold.
`workspace_reopen` lifts the closure within the grace but leaves the keys revoked: a key
that was revoked stays revoked, so the owner makes new ones. After the grace,
`workspaces_erase_due` (run by the beat with retention) deletes the media and the personal
data and anonymises the workspace row, which stays because the ledger's entries keep
pointing at it (PROTECT) and the audit log is append-only.

It lives in jobs because jobs is the lowest app that sees everything closure touches:
jobs, gallery assets, webhook endpoints, BYOK credentials, keys and members."""

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts import audit
from apps.accounts.keycache import auth_cache_bump
from apps.accounts.models import ApiKey, AuditAction, Membership, Workspace
from apps.core.errors import Conflict, ValidationError
from apps.gallery.models import Asset
from apps.gallery.services import asset_delete
from apps.jobs.export import export_delete, require_owner
from apps.jobs.models import TERMINAL, Job, WorkspaceExport
from apps.jobs.services import job_cancel
from apps.providers.models import ProviderCredential
from apps.webhooks.models import WebhookEndpoint, WebhookMessage

logger = logging.getLogger(__name__)


def _locked(workspace: Workspace) -> Workspace:
    return Workspace.objects.select_for_update().get(pk=workspace.pk)


def _cancel_in_flight(workspace: Workspace) -> int:
    cancelled = 0
    for job in Job.objects.filter(workspace=workspace).exclude(status__in=TERMINAL):
        try:
            job_cancel(job=job)
        except Conflict:
            continue  # it ended on its own meanwhile
        cancelled += 1
    return cancelled


def workspace_close(
    *, actor: Membership, confirm: Any, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Closes the actor's workspace (owners only). `confirm` must be the workspace's name
    exactly; 409 when it is already closed."""
    require_owner(actor)
    now = now or timezone.now()
    with transaction.atomic():
        workspace = _locked(actor.workspace)
        if workspace.closed_at is not None:
            raise Conflict(
                "The workspace is already closed.",
                details={"closed_at": workspace.closed_at.isoformat()},
            )
        if not isinstance(confirm, str) or confirm != workspace.name:
            raise ValidationError(
                "To close the workspace, send its exact name as `confirm`.",
                details={"field": "confirm", "expected": "the workspace name"},
            )
        workspace.closed_at = now
        workspace.erase_after = now + dt.timedelta(days=settings.WORKSPACE_CLOSURE_GRACE_DAYS)
        workspace.save(update_fields=["closed_at", "erase_after", "updated_at"])
        revoked = ApiKey.objects.filter(workspace=workspace, revoked_at__isnull=True).update(
            revoked_at=now, updated_at=now
        )
        auth_cache_bump(workspace_id=workspace.pk)
        audit.record(
            action=AuditAction.WORKSPACE_CLOSED,
            workspace=workspace,
            actor_user=actor.user,
            target=workspace,
            details={"erase_after": workspace.erase_after.isoformat(), "keys_revoked": revoked},
        )
    # Each cancel locks job → workspace → account in the house order, after the close has
    # committed (no new job can start once `closed_at` is visible).
    cancelled = _cancel_in_flight(workspace)
    actor.workspace.closed_at, actor.workspace.erase_after = now, workspace.erase_after
    return {"workspace": workspace, "keys_revoked": revoked, "jobs_cancelled": cancelled}


@transaction.atomic
def workspace_reopen(*, actor: Membership) -> Workspace:
    """Lifts a closure within its grace (owners only). Revoked keys stay revoked."""
    require_owner(actor)
    workspace = _locked(actor.workspace)
    if workspace.closed_at is None:
        raise Conflict("The workspace is not closed.")
    if workspace.erased_at is not None:
        raise Conflict("The workspace has been erased; it cannot be reopened.")
    closed_at = workspace.closed_at
    workspace.closed_at = workspace.erase_after = None
    workspace.save(update_fields=["closed_at", "erase_after", "updated_at"])
    auth_cache_bump(workspace_id=workspace.pk)
    audit.record(
        action=AuditAction.WORKSPACE_REOPENED,
        workspace=workspace,
        actor_user=actor.user,
        target=workspace,
        details={"closed_at": closed_at.isoformat()},
    )
    actor.workspace.closed_at = actor.workspace.erase_after = None
    return workspace


def workspace_erase(*, workspace: Workspace, now: dt.datetime | None = None) -> dict[str, int]:
    """Erases a closed workspace whose grace has passed: media (assets and their files,
    export zips), personal data (job prompts, inputs and parameters, member links, webhook
    endpoints and messages, BYOK credentials); the jobs' accounting columns, the ledger
    and the audit log stay, the workspace row anonymised."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(workspace)
        if locked.closed_at is None or locked.erased_at is not None:
            return {}
        if locked.erase_after is None or locked.erase_after > now:
            return {}
    counts = {"jobs_cancelled": _cancel_in_flight(locked)}
    assets = 0
    for asset in Asset.objects.filter(workspace=locked).select_related("workspace"):
        asset_delete(asset=asset)
        assets += 1
    counts["assets"] = assets
    exports = 0
    for export in WorkspaceExport.objects.filter(workspace=locked):
        export_delete(export=export)
        exports += 1
    counts["exports"] = exports
    with transaction.atomic():
        locked = _locked(workspace)
        counts["jobs"] = Job.objects.filter(workspace=locked).update(
            prompt="",
            params={},
            inputs={},
            notes=[],
            webhook_url="",
            error_message="",
            created_by=None,
            updated_at=now,
        )
        counts["members"] = Membership.objects.filter(workspace=locked).delete()[0]
        counts["webhook_messages"] = WebhookMessage.objects.filter(workspace=locked).delete()[0]
        counts["webhook_endpoints"] = WebhookEndpoint.objects.filter(workspace=locked).delete()[0]
        counts["byok_credentials"] = ProviderCredential.objects.filter(workspace=locked).delete()[0]
        locked.name = f"Closed workspace {locked.public_id}"
        locked.created_by = None
        locked.erased_at = now
        locked.save(update_fields=["name", "created_by", "erased_at", "updated_at"])
        auth_cache_bump(workspace_id=locked.pk)
    logger.info("workspace %s erased after closure: %s", locked.public_id, counts)
    return counts


def workspaces_erase_due(*, now: dt.datetime | None = None) -> int:
    """Erases every closed workspace past its grace; returns how many were erased."""
    now = now or timezone.now()
    due = Workspace.objects.filter(
        closed_at__isnull=False, erased_at__isnull=True, erase_after__lte=now
    )
    erased = 0
    for workspace in due:
        if workspace_erase(workspace=workspace, now=now):
            erased += 1
    return erased
