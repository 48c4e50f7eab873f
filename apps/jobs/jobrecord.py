"""The status read's cached copy of a job (issue 19): `GET /api/v1/tasks/{id}`'s body,
rendered, kept in Redis as a versioned record (apps/core/vrecord.py) and read in the same
Redis round trip as the API key (apps/accounts/keycache.py), so a poll reads no table.

Each job's record depends on two version keys: `jobv:<pk>` and `jobv:all`. Every write
to the job table goes through `changing`: Job.save() and Job.delete() on one job, and
JobQuerySet's update() and delete() on the jobs the queryset pins by primary key (or on
every job, `jobv:all`, when it pins none). `migrate` bumps `jobv:all` (data migrations use
historical models, which skip these hooks). So a record is never read after a change to
its job has committed.

Only jobs without a result asset are kept: the body copies the asset's columns, and the
asset table's writes are not guarded. A job gets its result in a guarded write, so its
last kept record dies with that write."""

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.lookups import Exact, In

from apps.core import vrecord

RECORD_STEM = "jobrec:"
RECORD_TTL_S = 3600


def record_key(workspace_id: int, public_id: str) -> str | None:
    stem = vrecord.key(RECORD_STEM)
    return None if stem is None else f"{stem}{workspace_id}:{public_id}"


def version_names(pks: Iterable[Any] | None) -> list[str]:
    """The version keys of these jobs (None: of every job)."""
    if vrecord.backend() is None:
        return []
    if pks is None:
        return [str(vrecord.key("jobv:all"))]
    return [str(vrecord.key(f"jobv:{pk}")) for pk in pks]


def record_names(pk: int) -> list[str]:
    """The version keys one job's record is tagged with."""
    return version_names([pk]) + version_names(None)


def changing(pks: Iterable[Any] | None) -> Any:
    """Around a write to these jobs (None: to any job)."""
    return vrecord.changing(version_names(pks))


def pinned_pks(queryset: models.QuerySet) -> list[Any] | None:
    """The primary keys a queryset's filter restricts it to (`pk=`, `pk__in=` with
    literal values, ANDed with anything), or None when it pins none."""
    where = queryset.query.where
    if where.negated or where.connector != "AND":
        return None
    for child in where.children:
        lhs = getattr(child, "lhs", None)
        target = getattr(lhs, "target", None)
        if target is None or not target.primary_key or target.model is not queryset.model:
            continue
        if isinstance(child, Exact) and isinstance(child.rhs, int):
            return [child.rhs]
        if isinstance(child, In) and isinstance(child.rhs, list | tuple | set | frozenset):
            values = list(child.rhs)
            if all(isinstance(value, int) for value in values):
                return values
    return None


def migrated(sender: Any, **kwargs: Any) -> None:
    with changing(None):
        pass


class JobQuerySet(models.QuerySet):
    """Job's queryset: its bulk writes invalidate the status read's records."""

    def update(self, **kwargs: Any) -> int:
        with changing(pinned_pks(self)):
            return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        with changing(pinned_pks(self)):
            return super().delete()

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        objs = list(objs)
        with changing([obj.pk for obj in objs]):
            return super().bulk_update(objs, fields, batch_size=batch_size)
