"""A safety net under the services' own bumps (apps/accounts/keycache.py): any save or
delete of a row a cached key record copies — the Django admin's edits included —
invalidates the records that copy it. Queryset .update() sends no signal: services that
use one bump explicitly."""

from typing import Any

from django.db.models.signals import post_delete, post_migrate, post_save

from apps.accounts.keycache import auth_cache_bump
from apps.accounts.keycache_record import VOLATILE
from apps.accounts.models import ApiKey, Membership, Tier, User, Workspace


def _bump_for(instance: Any) -> None:
    if isinstance(instance, ApiKey | Membership):
        auth_cache_bump(workspace_id=instance.workspace_id)
    elif isinstance(instance, Workspace):
        auth_cache_bump(workspace_id=instance.pk)
    elif isinstance(instance, User):
        auth_cache_bump(user_id=instance.pk)
    elif isinstance(instance, Tier):
        auth_cache_bump(tier_id=instance.pk)


def _saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields and set(update_fields) <= VOLATILE[sender]:
        return  # only columns the record does not copy (last_login, storage_used_bytes)
    _bump_for(instance)


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    _bump_for(instance)


for _model in (ApiKey, Membership, Workspace, User, Tier):
    post_save.connect(_saved, sender=_model, dispatch_uid=f"keycache_saved_{_model.__name__}")
    post_delete.connect(_deleted, sender=_model, dispatch_uid=f"keycache_deleted_{_model.__name__}")


def _migrated(sender: Any, **kwargs: Any) -> None:
    auth_cache_bump(everything=True)  # data migrations edit tiers with .update()


post_migrate.connect(_migrated, dispatch_uid="keycache_migrated")
