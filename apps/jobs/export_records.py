"""The JSON records of a workspace export (apps/jobs/export.py): one list per kind, with
public ids instead of internal keys and no secrets (API keys lose their hash, webhook
endpoints are not exported at all since their signing secret is the point of them)."""

from collections.abc import Iterator
from typing import Any

from apps.accounts.models import ApiKey, AuditEvent, Membership, Workspace
from apps.billing.models import LedgerEntry
from apps.gallery.models import Asset
from apps.jobs.models import Job


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def job_records(workspace: Workspace) -> Iterator[dict[str, Any]]:
    jobs = Job.objects.filter(workspace=workspace).select_related("result_asset", "api_key")
    for job in jobs.order_by("created_at", "pk").iterator(chunk_size=500):
        yield {
            "id": job.public_id,
            "method": job.method,
            "model": job.model,
            "provider": job.provider,
            "status": job.status,
            "prompt": job.prompt,
            "params": job.params,
            "inputs": job.inputs,
            "error_code": job.error_code,
            "error_message": job.error_message,
            "credits_estimated": job.credits_estimated,
            "credits_charged": job.credits_charged,
            "output_seconds": job.output_seconds,
            "result_asset": job.result_asset.public_id if job.result_asset else None,
            "api_key": job.api_key.public_id if job.api_key else None,
            "created_at": _iso(job.created_at),
            "started_at": _iso(job.started_at),
            "completed_at": _iso(job.completed_at),
        }


def asset_records(workspace: Workspace) -> Iterator[dict[str, Any]]:
    for asset in Asset.objects.filter(workspace=workspace).order_by("created_at", "pk"):
        yield {
            "id": asset.public_id,
            "kind": asset.kind,
            "status": asset.status,
            "title": asset.title,
            "original_name": asset.original_name,
            "content_type": asset.content_type,
            "size_bytes": asset.size_bytes,
            "visibility": asset.visibility,
            "file": media_name(asset) if asset.storage_key else None,
            "created_at": _iso(asset.created_at),
        }


def ledger_records(workspace: Workspace) -> Iterator[dict[str, Any]]:
    entries = LedgerEntry.objects.filter(workspace=workspace).order_by("created_at", "pk")
    for entry in entries.iterator(chunk_size=1000):
        yield {
            "id": entry.public_id,
            "kind": entry.kind,
            "credits": entry.credits,
            "balance_after": entry.balance_after,
            "reference": entry.reference,
            "description": entry.description,
            "created_at": _iso(entry.created_at),
        }


def audit_records(workspace: Workspace) -> Iterator[dict[str, Any]]:
    events = AuditEvent.objects.filter(workspace=workspace).order_by("at", "pk")
    for event in events.iterator(chunk_size=1000):
        yield {
            "id": event.public_id,
            "at": _iso(event.at),
            "action": event.action,
            "actor": event.actor_label,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "ip": event.ip,
            "user_agent": event.user_agent,
            "details": event.details,
        }


def member_records(workspace: Workspace) -> Iterator[dict[str, Any]]:
    members = Membership.objects.filter(workspace=workspace).select_related("user")
    for member in members.order_by("created_at", "pk"):
        yield {
            "id": member.public_id,
            "email": member.user.email,
            "name": member.user.name,
            "role": member.role,
            "created_at": _iso(member.created_at),
        }


def api_key_records(workspace: Workspace) -> Iterator[dict[str, Any]]:
    keys = ApiKey.objects.filter(workspace=workspace).select_related("created_by")
    for key in keys.order_by("created_at", "pk"):
        yield {
            "id": key.public_id,
            "name": key.name,
            "prefix": key.prefix,
            "created_by": key.created_by.email,
            "scopes": key.scopes,
            "allowed_models": key.allowed_models,
            "monthly_credit_limit": key.monthly_credit_limit,
            "expires_at": _iso(key.expires_at),
            "revoked_at": _iso(key.revoked_at),
            "last_used_at": _iso(key.last_used_at),
            "created_at": _iso(key.created_at),
        }


def media_name(asset: Asset) -> str:
    """Where the asset's file sits in the zip."""
    return f"media/{asset.public_id}/{asset.storage_key.rsplit('/', 1)[-1]}"


RECORDS = {
    "jobs.json": job_records,
    "assets.json": asset_records,
    "ledger.json": ledger_records,
    "audit_events.json": audit_records,
    "members.json": member_records,
    "api_keys.json": api_key_records,
}
