"""Writes and reads of workspaces' own provider keys (bring-your-own-key)."""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from apps.accounts.models import Membership, Workspace
from apps.core.errors import Conflict, NotFound, PermissionDenied
from apps.providers import crypto
from apps.providers.credentials import byok_allowed
from apps.providers.models import ProviderCredential


def _require(actor: Membership) -> None:
    if not byok_allowed(actor.workspace):
        raise PermissionDenied(
            "Bringing your own provider keys is an Enterprise feature; "
            "upgrade the workspace to use it."
        )
    if not actor.can_manage:
        raise PermissionDenied("Only the workspace's owners and admins can manage provider keys.")


def provider_credentials_list(*, actor: Membership) -> QuerySet[ProviderCredential]:
    _require(actor)
    return ProviderCredential.objects.filter(workspace=actor.workspace)


def provider_credential_get(*, workspace: Workspace, public_id: str) -> ProviderCredential:
    cred = ProviderCredential.objects.filter(workspace=workspace, public_id=public_id).first()
    if cred is None:
        raise NotFound("No such provider key.")
    return cred


def provider_credential_create(
    *, actor: Membership, provider: str, secret: str, label: str = ""
) -> ProviderCredential:
    _require(actor)
    secret = secret.strip()
    try:
        with transaction.atomic():
            return ProviderCredential.objects.create(
                workspace=actor.workspace,
                provider=provider,
                label=label,
                secret_encrypted=crypto.encrypt(secret),
                last4=secret[-4:],
                created_by=actor.user,
            )
    except IntegrityError:
        raise Conflict(
            f"The workspace already has a {provider} key; delete it first to replace it."
        ) from None


def provider_credential_delete(*, actor: Membership, public_id: str) -> None:
    cred = provider_credential_get(workspace=actor.workspace, public_id=public_id)
    _require(actor)
    cred.delete()
