"""Writes and reads of workspaces' own provider keys (bring-your-own-key)."""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from apps.accounts import audit
from apps.accounts.models import AuditAction, Membership, Workspace
from apps.core.errors import Conflict, NotFound, PermissionDenied
from apps.providers import crypto
from apps.providers.credentials import byok_allowed
from apps.providers.models import ProviderCredential


def provider_keys_access_check(*, actor: Membership) -> None:
    """403 unless the workspace may bring its own keys and the actor manages it."""
    if not byok_allowed(actor.workspace):
        raise PermissionDenied(
            "Bringing your own provider keys is an Enterprise feature; "
            "upgrade the workspace to use it."
        )
    if not actor.can_manage:
        raise PermissionDenied("Only the workspace's owners and admins can manage provider keys.")


def provider_credentials_list(*, actor: Membership) -> QuerySet[ProviderCredential]:
    provider_keys_access_check(actor=actor)
    return ProviderCredential.objects.filter(workspace=actor.workspace)


def provider_credential_get(*, workspace: Workspace, public_id: str) -> ProviderCredential:
    cred = ProviderCredential.objects.filter(workspace=workspace, public_id=public_id).first()
    if cred is None:
        raise NotFound("No such provider key.")
    return cred


def provider_credential_create(
    *, actor: Membership, provider: str, secret: str, label: str = ""
) -> ProviderCredential:
    provider_keys_access_check(actor=actor)
    secret = secret.strip()
    try:
        with transaction.atomic():
            cred = ProviderCredential.objects.create(
                workspace=actor.workspace,
                provider=provider,
                label=label,
                secret_encrypted=crypto.encrypt(secret),
                last4=secret[-4:],
                created_by=actor.user,
            )
            audit.record(
                action=AuditAction.BYOK_ADDED,
                workspace=actor.workspace,
                actor_user=actor.user,
                target=cred,
                details={"provider": provider, "label": label, "last4": cred.last4},
            )
            return cred
    except IntegrityError:
        raise Conflict(
            f"The workspace already has a {provider} key; delete it first to replace it."
        ) from None


def provider_credential_delete(*, actor: Membership, public_id: str) -> None:
    # Permission first, like list and create: a non-Enterprise workspace or a member is
    # told 403 for any id, so no id is probed. Another workspace's key stays a 404.
    provider_keys_access_check(actor=actor)
    cred = provider_credential_get(workspace=actor.workspace, public_id=public_id)
    with transaction.atomic():
        if ProviderCredential.objects.filter(pk=cred.pk).delete()[0]:
            audit.record(
                action=AuditAction.BYOK_REMOVED,
                workspace=actor.workspace,
                actor_user=actor.user,
                target=cred,
                details={"provider": cred.provider, "label": cred.label, "last4": cred.last4},
            )
