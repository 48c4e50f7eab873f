"""The settings an API key carries (name, scopes, allowed models, monthly credit limit,
expiry): each checked and normalised, with a 400 naming the field, before the key
services (apps/accounts/services.py) write them."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from apps.accounts.models import ApiKey, Membership
from apps.accounts.scopes import ALL_SCOPES
from apps.core.errors import PermissionDenied, ValidationError

# The model catalogue lives above accounts; it registers how to resolve a model id at
# start-up (apps/catalog/apps.py) so keys' `allowed_models` can be checked here.
_model_catalog: Callable[[], dict[str, str]] | None = None


def model_catalog_register(ids: Callable[[], dict[str, str]]) -> None:
    """`ids()` maps every model id and alias to its model id."""
    global _model_catalog
    _model_catalog = ids


MAX_ALLOWED_MODELS = 100
# Far above any real month's spend; keeps absurd input a 400 instead of a bigint overflow.
MAX_MONTHLY_CREDIT_LIMIT = 10**12  # credits
API_KEY_FIELDS = ("name", "scopes", "allowed_models", "monthly_credit_limit", "expires_at")


def _invalid(field: str, message: str, **details: Any) -> ValidationError:
    return ValidationError(
        f"{field}: {message}", details={"field": field, "fields": {field: [message]}, **details}
    )


def _clean_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid("name", "Give the key a name.")
    if len(value.strip()) > 100:
        raise _invalid("name", "At most 100 characters.")
    return value.strip()


def _clean_scopes(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _invalid("scopes", "A list of scope names.", allowed=list(ALL_SCOPES))
    unknown = sorted(set(value) - set(ALL_SCOPES))
    if unknown:
        raise _invalid(
            "scopes",
            f"Unknown scope{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}; "
            f"choose from {', '.join(ALL_SCOPES)}.",
            unknown=unknown,
            allowed=list(ALL_SCOPES),
        )
    if not value:
        raise _invalid("scopes", "Give the key at least one scope.", allowed=list(ALL_SCOPES))
    return [s for s in ALL_SCOPES if s in value]


def _clean_models(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _invalid("allowed_models", "A list of model ids or prefixes like 'local/'.")
    if len(value) > MAX_ALLOWED_MODELS:
        raise _invalid("allowed_models", f"At most {MAX_ALLOWED_MODELS} entries.")
    catalog = _model_catalog() if _model_catalog else {}
    cleaned: list[str] = []
    for item in (v.strip() for v in value):
        if item.endswith("/") and any(model.startswith(item) for model in catalog.values()):
            resolved = item
        elif item in catalog:
            resolved = catalog[item]  # an alias is stored as the model's id
        else:
            raise _invalid(
                "allowed_models",
                f"'{item[:200]}' is neither a model id nor a prefix (ending in '/') of one; "
                "see GET /api/v1/models.",
                unknown=item[:200],
            )
        if resolved not in cleaned:
            cleaned.append(resolved)
    return cleaned


def _clean_limit(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _invalid(
            "monthly_credit_limit", "A whole number of credits, 0 or more, or null for none."
        )
    if value > MAX_MONTHLY_CREDIT_LIMIT:
        raise _invalid("monthly_credit_limit", f"At most {MAX_MONTHLY_CREDIT_LIMIT} credits.")
    return value


def _clean_expiry(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise _invalid("expires_at", "A date and time with a time zone, or null for never.")
    if value <= timezone.now():
        raise _invalid("expires_at", "Must be in the future.")
    return value


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": _clean_name,
    "scopes": _clean_scopes,
    "allowed_models": _clean_models,
    "monthly_credit_limit": _clean_limit,
    "expires_at": _clean_expiry,
}


def api_key_settings_clean(
    changes: dict[str, Any],
    *,
    actor: Membership,
    actor_key: ApiKey | None,
    api_key: ApiKey | None = None,
) -> dict[str, Any]:
    """`changes` checked and normalised (400 naming the first bad field). `actor_key`: the
    key making the request, which cannot grant scopes it lacks; `api_key`: the key being
    changed (None: a new one)."""
    # Members make and change their own keys (a key acts as its maker, so it can do no
    # more than they can); owners and admins change anyone's.
    if api_key is not None and api_key.created_by_id != actor.user_id and not actor.can_manage:
        raise PermissionDenied("Only owners and admins can change someone else's key.")
    unknown = sorted(set(changes) - set(API_KEY_FIELDS))
    if unknown:
        raise _invalid(unknown[0], "Unknown field.", unknown=unknown, allowed=list(API_KEY_FIELDS))
    cleaned = {name: _CLEANERS[name](value) for name, value in changes.items()}
    if actor_key is not None and "scopes" in cleaned:
        beyond = sorted(set(cleaned["scopes"]) - set(actor_key.scopes))
        if beyond:
            raise PermissionDenied(
                f"This API key cannot grant scopes it does not have: {', '.join(beyond)}.",
                details={"required_scope": beyond[0], "scopes": list(actor_key.scopes)},
            )
    return cleaned
