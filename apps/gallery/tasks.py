from celery import shared_task

from apps.gallery import quota, services


@shared_task(name="gallery.storage_recount")
def storage_recount() -> dict[str, int]:
    """Beat runs this hourly: abandons uploads whose writer died or whose presigned PUT
    expired, then recounts every workspace's storage usage from its asset rows."""
    abandoned = services.uploads_cleanup_stale()
    drifted = quota.storage_recount_all()
    return {"abandoned_uploads": abandoned, "workspaces_fixed": drifted}


@shared_task(name="gallery.apply_retention")
def apply_retention() -> int:
    """Deletes unsaved uploads and job outputs past their tier's retention period."""
    return services.assets_apply_retention()
