"""Storage accounting: each workspace's used bytes against its tier's quota.

`storage_reserve` is one conditional UPDATE (`used + n <= quota`), so concurrent writers can
never overshoot. Writers reserve before they store and release when they delete or fail, so
the counter equals the sum of the rows' `size_bytes`, which `storage_recount` restores if a
process died half-way."""

import logging

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Greatest

from apps.accounts.models import Tier, Workspace
from apps.core.errors import ApplicationError, ErrorCode
from apps.gallery.models import Asset

logger = logging.getLogger(__name__)


class StorageFull(ApplicationError):
    code = ErrorCode.STORAGE_FULL
    status = 507
    default_message = "The workspace's storage is full."


def _quota_and_used(workspace: Workspace) -> tuple[int | None, int]:
    quota, used = Workspace.objects.filter(pk=workspace.pk).values_list(
        "tier__storage_quota_bytes", "storage_used_bytes"
    )[0]
    return quota, used


def storage_reserve(*, workspace: Workspace, size_bytes: int) -> None:
    """Adds `size_bytes` to the workspace's usage if it fits the tier's quota, atomically;
    else raises STORAGE_FULL (507) with used/quota in details."""
    if size_bytes < 0:
        raise ValueError("size_bytes must be >= 0")
    quota, used = _quota_and_used(workspace)
    rows = Workspace.objects.filter(pk=workspace.pk)
    if quota is not None:
        # The condition sits on the row being updated, so the database re-checks it after
        # taking the row lock: two writers cannot both squeeze into the last bytes.
        rows = rows.filter(storage_used_bytes__lte=quota - size_bytes)
    if rows.update(storage_used_bytes=F("storage_used_bytes") + size_bytes) == 1:
        workspace.storage_used_bytes = used + size_bytes
        return
    quota, used = _quota_and_used(workspace)
    raise StorageFull(
        f"Not enough storage: {used} of {quota} bytes used, {size_bytes} more needed. "
        "Delete assets or upgrade the workspace's tier.",
        details={"used_bytes": used, "quota_bytes": quota, "requested_bytes": size_bytes},
    )


def storage_release(*, workspace: Workspace, size_bytes: int) -> None:
    """Gives `size_bytes` back (never below zero; the recount repairs any drift)."""
    if size_bytes <= 0:
        return
    Workspace.objects.filter(pk=workspace.pk).update(
        storage_used_bytes=Greatest(F("storage_used_bytes") - size_bytes, 0)
    )


def storage_recount(*, workspace: Workspace) -> int:
    """Sets the counter to the sum over the workspace's asset rows; returns the drift fixed."""
    with transaction.atomic():
        row = Workspace.objects.select_for_update().get(pk=workspace.pk)
        total = Asset.objects.filter(workspace_id=row.pk).aggregate(s=Sum("size_bytes"))["s"] or 0
        drift = total - row.storage_used_bytes
        if drift:
            Workspace.objects.filter(pk=row.pk).update(storage_used_bytes=total)
            logger.warning("storage drift of %d bytes fixed for %s", drift, row.public_id)
    workspace.storage_used_bytes = total
    return int(drift)


def storage_recount_all() -> int:
    """Recounts every workspace; returns how many had drifted."""
    fixed = 0
    for ws in Workspace.objects.only("pk", "public_id").iterator():
        fixed += storage_recount(workspace=ws) != 0
    return fixed


def _tier(workspace: Workspace) -> Tier:
    return Tier.objects.get(workspaces=workspace)


def upload_limit_bytes(*, workspace: Workspace) -> int:
    return int(_tier(workspace).max_upload_bytes)
