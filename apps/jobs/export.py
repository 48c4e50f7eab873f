"""Workspace export (docs/operations.md, "Workspace export and closure").

The owner asks for one (`export_start`, which records `workspace.exported`); a Celery task
(`jobs.build_workspace_export`) writes a zip to a temporary file — the records as JSON
(apps/jobs/export_records.py) and every asset's file, streamed from storage in chunks and
stored without compression (video does not compress) — then puts it in storage under the
workspace's prefix. The status answer carries a signed link (the gallery's signed-URL
machinery) valid until the zip expires, WORKSPACE_EXPORT_TTL_S after completion; retention
deletes expired zips and their rows. Exports count against no quota."""

import datetime as dt
import json
import logging
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts import audit
from apps.accounts.models import AuditAction, Membership, Role, Workspace
from apps.core.errors import NotFound, PermissionDenied
from apps.gallery import storage
from apps.gallery.models import Asset
from apps.jobs.enqueue import enqueue
from apps.jobs.export_records import RECORDS, media_name
from apps.jobs.models import ExportStatus, WorkspaceExport

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024
# Already-compressed media gains nothing from deflate; JSON does.
STORED_PREFIXES = ("video/", "image/", "audio/")


def require_owner(membership: Membership) -> None:
    if membership.role != Role.OWNER:
        raise PermissionDenied("Only the workspace's owners can do this.")


def exports_list(*, workspace: Workspace) -> QuerySet[WorkspaceExport]:
    return WorkspaceExport.objects.filter(workspace=workspace).order_by("-created_at", "-pk")


def export_get(*, workspace: Workspace, public_id: str) -> WorkspaceExport:
    try:
        return exports_list(workspace=workspace).get(public_id=public_id)
    except WorkspaceExport.DoesNotExist:
        raise NotFound("No such export.") from None


@transaction.atomic
def export_start(*, actor: Membership) -> WorkspaceExport:
    """Queues an export of the actor's workspace (owners only)."""
    require_owner(actor)
    export = WorkspaceExport.objects.create(workspace=actor.workspace, requested_by=actor.user)
    audit.record(
        action=AuditAction.WORKSPACE_EXPORTED,
        workspace=actor.workspace,
        actor_user=actor.user,
        target=export,
    )
    export_id = export.pk
    transaction.on_commit(lambda: enqueue("jobs.build_workspace_export", export_id))
    return export


def export_download_url(export: WorkspaceExport, *, now: dt.datetime | None = None) -> str | None:
    """A signed link to the zip, valid until the export expires; None before completion
    or after expiry."""
    now = now or timezone.now()
    if export.status != ExportStatus.COMPLETED or not export.storage_key:
        return None
    if export.expires_at is None or export.expires_at <= now:
        return None
    return storage.signed_url(
        export.storage_key,
        filename=f"reelsmith-{export.workspace.public_id}-{export.public_id}.zip",
        content_type="application/zip",
        attachment=True,
        expires_in=max(1, int((export.expires_at - now).total_seconds())),
    )


def _claim(export_id: int) -> WorkspaceExport | None:
    """Queued → running under the row lock; None when another run has it already."""
    with transaction.atomic():
        export = (
            WorkspaceExport.objects.select_for_update()
            .select_related("workspace")
            .filter(pk=export_id, status=ExportStatus.QUEUED)
            .first()
        )
        if export is None:
            return None
        export.status = ExportStatus.RUNNING
        export.save(update_fields=["status", "updated_at"])
        return export


def _progress(export: WorkspaceExport, progress: int) -> None:
    WorkspaceExport.objects.filter(pk=export.pk).update(progress=min(99, progress))


def _write_records(archive: zipfile.ZipFile, workspace: Workspace) -> None:
    for name, records in RECORDS.items():
        with archive.open(name, "w") as out:
            out.write(b"[")
            for i, record in enumerate(records(workspace)):
                out.write(b",\n" if i else b"\n")
                out.write(json.dumps(record, cls=DjangoJSONEncoder).encode())
            out.write(b"\n]\n")


def _write_media(archive: zipfile.ZipFile, export: WorkspaceExport) -> None:
    assets = list(
        Asset.objects.filter(workspace=export.workspace)
        .exclude(storage_key="")
        .order_by("created_at", "pk")
    )
    backend = storage.get_storage()
    for i, asset in enumerate(assets, start=1):
        stored = asset.content_type.startswith(STORED_PREFIXES)
        info = zipfile.ZipInfo(media_name(asset), date_time=asset.created_at.timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        try:
            source = backend.open(asset.storage_key, "rb")
        except FileNotFoundError:
            logger.warning("export %s: %s has no file", export.public_id, asset.public_id)
            continue
        with source, archive.open(info, "w", force_zip64=True) as out:
            shutil.copyfileobj(source, out, CHUNK)
        _progress(export, 10 + 89 * i // len(assets))


def export_build(*, export_id: int, now: dt.datetime | None = None) -> WorkspaceExport | None:
    """Builds the zip of a queued export; a second run of the task changes nothing."""
    export = _claim(export_id)
    if export is None:
        return None
    try:
        with tempfile.TemporaryDirectory(prefix="export-") as tmp:
            path = Path(tmp) / "export.zip"
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                _write_records(archive, export.workspace)
                _progress(export, 10)
                _write_media(archive, export)
            key = storage.store_file(
                key=f"{storage.workspace_prefix(export.workspace.public_id)}exports/"
                f"{export.public_id}.zip",
                path=path,
                content_type="application/zip",
                move=True,
            )
            size = path.stat().st_size if path.exists() else 0
    except Exception as exc:
        logger.exception("export %s failed", export.public_id)
        WorkspaceExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED,
            error_message=f"The export could not be built ({type(exc).__name__}).",
            updated_at=timezone.now(),
        )
        export.refresh_from_db()
        return export
    now = now or timezone.now()
    export.status = ExportStatus.COMPLETED
    export.progress = 100
    export.storage_key = key
    export.size_bytes = size or storage.get_storage().size(key)
    export.completed_at = now
    export.expires_at = now + dt.timedelta(seconds=settings.WORKSPACE_EXPORT_TTL_S)
    export.save()
    return export


def export_delete(*, export: WorkspaceExport) -> None:
    """Deletes the zip and the row."""
    key = export.storage_key
    WorkspaceExport.objects.filter(pk=export.pk).delete()
    if key:
        transaction.on_commit(lambda: storage.delete_keys(key))


def exports_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Deletes exports past `expires_at`, and failed ones a day old; returns the count."""
    now = now or timezone.now()
    expired = WorkspaceExport.objects.filter(expires_at__lte=now) | WorkspaceExport.objects.filter(
        status=ExportStatus.FAILED, updated_at__lte=now - dt.timedelta(days=1)
    )
    deleted = 0
    for export in expired:
        export_delete(export=export)
        deleted += 1
    return deleted
