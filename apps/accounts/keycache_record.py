"""The cached key record's encoding (apps/accounts/keycache.py): a first line of the
record's layout, ids and version tags that the hot Lua script matches without a JSON
decoder, then the rows `api_key_for_prefix` loads as JSON, rebuilt as model instances
related to each other as that query's select_related leaves them."""

import copy
import datetime as dt
import functools
import hashlib
import json
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import signals
from django.db.models.base import ModelState

from apps.accounts.models import ApiKey, Membership, Tier, User, Workspace

# Columns that change without a version bump (or that must not sit in Redis) stay out of
# the record; reading one on a cached instance loads it from the database.
VOLATILE: dict[type, set[str]] = {
    ApiKey: {"last_used_at"},
    Workspace: {"storage_used_bytes", "updated_at"},
    Tier: set(),
    User: {"password", "last_login", "active_workspace_id"},
    Membership: set(),
}
_ROWS = (ApiKey, Workspace, Tier, User, Membership)


@functools.cache
def _fields(model: type) -> list[Any]:
    return [f for f in model._meta.concrete_fields if f.attname not in VOLATILE[model]]


@functools.cache
def _attnames(model: type) -> list[str]:
    return [f.attname for f in _fields(model)]


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


@functools.cache
def _decoders(model: type) -> tuple[tuple[int, Any], ...]:
    """(position in the record's row, parser) for the columns JSON keeps as text."""
    parsers = {"DateTimeField": dt.datetime.fromisoformat, "DateField": dt.date.fromisoformat}
    return tuple(
        (i, parsers[f.get_internal_type()])
        for i, f in enumerate(_fields(model))
        if f.get_internal_type() in parsers
    )


def record_encode(api_key: ApiKey, versions: list[str]) -> str:
    """A first line the hot script matches without a JSON decoder (ids, then versions),
    then the rows as JSON: what `record_decode` reads back."""
    workspace, user = api_key.workspace, api_key.created_by
    membership = api_key.membership  # type: ignore[attr-defined]
    rows = [api_key, workspace, workspace.tier, user, membership]
    ids = (api_key.pk, workspace.pk, user.pk, workspace.tier_id)
    head = " ".join(str(part) for part in (layout(), *ids, *versions))
    return (
        head
        + "\n"
        + json.dumps(
            [
                None if row is None else [_encode(getattr(row, f.attname)) for f in _fields(model)]
                for model, row in zip(_ROWS, rows, strict=True)
            ],
            separators=(",", ":"),
        )
    )


@functools.cache
def layout() -> str:
    """A digest of the record's columns: a release that adds or drops one reads the
    records of the one before it as misses, never as rows in the wrong places."""
    names = "|".join(",".join(_attnames(model)) for model in _ROWS)
    return hashlib.sha256(names.encode()).hexdigest()[:12]


def _instance(model: type, values: list[Any]) -> Any:
    """What `model.from_db` builds from these columns (the record's, in `_attnames`
    order; the volatile ones deferred), without running `Model.__init__` per field: no
    model here has pre/post-init receivers (`_fast_build` checks), so the instance's
    state is just its column values, not adding, from the default database."""
    instance = model.__new__(model)
    instance.__dict__.update(zip(_attnames(model), values, strict=True))
    state = instance._state = ModelState()
    state.adding, state.db = False, DEFAULT_DB_ALIAS
    return instance


@functools.cache
def _fast_build() -> bool:
    return not any(
        signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
        for model in _ROWS
    )


# A parsed row: its values, and the positions of its JSON lists and objects, each with
# whether it holds only scalars (copied shallow, else deep).
_Row = tuple[tuple[Any, ...], tuple[tuple[int, bool], ...]]


def _flat(value: list[Any] | dict[str, Any]) -> bool:
    items = value.values() if type(value) is dict else value
    return all(type(item) not in (list, dict) for item in items)


@functools.lru_cache(maxsize=512)
def _rows(raw: bytes | str) -> tuple[_Row | None, ...]:
    """A record's rows parsed (dates as dates), each with where its mutable values are:
    the same record text is parsed once per process. The text is the whole cache key, so
    a changed record is simply another entry."""
    parsed: list[_Row | None] = []
    for model, values in zip(_ROWS, json.loads(raw), strict=True):
        if values is None:
            parsed.append(None)
            continue
        for i, parse in _decoders(model):
            if values[i] is not None:
                values[i] = parse(values[i])
        mutable = tuple(
            (i, _flat(value)) for i, value in enumerate(values) if type(value) in (list, dict)
        )
        parsed.append((tuple(values), mutable))
    return tuple(parsed)


def record_decode(raw: bytes | str) -> ApiKey:
    """The instances api_key_for_prefix would have built, from a record's rows, related
    to each other as its select_related would have (the relations' caches set directly).
    Every call builds new instances, with their own copies of mutable values."""
    build = _instance if _fast_build() else _from_db
    loaded: list[Any] = []
    for model, row in zip(_ROWS, _rows(raw), strict=True):
        if row is None:
            loaded.append(None)
            continue
        values, mutable = list(row[0]), row[1]
        for i, flat in mutable:
            values[i] = values[i].copy() if flat else copy.deepcopy(values[i])
        loaded.append(build(model, values))
    api_key, workspace, tier, user, membership = loaded
    workspace._state.fields_cache["tier"] = tier
    api_key._state.fields_cache["workspace"] = workspace
    api_key._state.fields_cache["created_by"] = user
    if membership is not None:
        membership._state.fields_cache["workspace"] = workspace
        membership._state.fields_cache["user"] = user
    api_key.membership = membership
    return api_key


def _from_db(model: type, values: list[Any]) -> Any:
    return model.from_db(DEFAULT_DB_ALIAS, _attnames(model), values)
