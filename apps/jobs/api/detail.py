"""The status read's JSON built by hand (issue 19): exactly JobSerializer's output, key
order included, from the one row selectors.job_detail_values reads.

JobSerializer costs about 0.4 ms a job, most of it copying its declared fields for every
instance; this costs a few microseconds. The columns that need DRF's own conversion
(dates; JSON lists that are not what the pipeline writes) go through JobSerializer's own
field objects, so the output stays the same by construction, and
tests/jobs/test_task_detail_read.py compares the bytes with the serializer's."""

import functools
from types import SimpleNamespace
from typing import Any

from rest_framework.renderers import JSONRenderer

from apps.core import vrecord
from apps.jobs import jobrecord, selectors
from apps.jobs.api import shapes
from apps.jobs.api.serializers import JobSerializer
from apps.jobs.selectors import DETAIL_ASSET_FIELDS, DETAIL_JOB_FIELDS, RESULT_PREFIX

_ATTEMPT_KEYS = frozenset({"model", "provider", "error", "at"})


@functools.cache
def _fields() -> Any:
    """JobSerializer's fields, built once (a serializer copies them per instance)."""
    return JobSerializer().fields


def _strings(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def _attempts(log: Any) -> Any:
    """What the serializer's `attempts` shows. The pipeline's entries (services.
    attempt_entry) are copied key by key; anything else goes through the serializer's
    own field."""
    if type(log) is not list:
        return None if log is None else _fields()["attempts"].to_representation(log)
    out = []
    for entry in log:
        if type(entry) is not dict or not entry.keys() >= _ATTEMPT_KEYS:
            return _fields()["attempts"].to_representation(log)
        model, provider, error, at = entry["model"], entry["provider"], entry["error"], entry["at"]
        if type(model) is not str or type(provider) is not str or type(at) is not str or not at:
            return _fields()["attempts"].to_representation(log)
        if error is not None:
            if type(error) is not dict or not (
                type(error.get("code")) is str and type(error.get("message")) is str
            ):
                return _fields()["attempts"].to_representation(log)
            error = {"code": error["code"], "message": error["message"]}
        out.append({"model": model, "provider": provider, "error": error, "at": at})
    return out


def _result_asset(values: dict[str, Any]) -> SimpleNamespace | None:
    if values[RESULT_PREFIX + "id"] is None:
        return None
    return SimpleNamespace(**{name: values[RESULT_PREFIX + name] for name in DETAIL_ASSET_FIELDS})


def job_detail_body(values: dict[str, Any]) -> dict[str, Any]:
    """A job's JSON (JobSerializer's) from one row of selectors.job_detail_values."""
    fields = _fields()
    when = fields["created_at"].to_representation
    status = values["status"]
    fallback_models = values["fallback_models"]
    if not _strings(fallback_models):
        fallback_models = (
            None
            if fallback_models is None
            else fields["fallback_models"].to_representation(fallback_models)
        )
    return {
        "id": values["public_id"],
        "status": status,
        "progress": values["progress"],
        "stage": values["stage"],
        "method": values["method"],
        "model": values["model"],
        "sandbox": values["sandbox"],
        "prompt": values["prompt"],
        "params": values["params"],
        "inputs": values["inputs"],
        "notes": values["notes"],
        "created_at": when(values["created_at"]),
        "started_at": when(values["started_at"]) if values["started_at"] else None,
        "completed_at": when(values["completed_at"]) if values["completed_at"] else None,
        "error": shapes.job_error(
            values["error_code"], values["error_message"], values["error_retryable"]
        ),
        "result": shapes.job_result(status, _result_asset(values)),
        "credits": shapes.job_credits(
            values["credits_estimated"], values["credits_held"], values["credits_charged"]
        ),
        "fallback_models": fallback_models,
        "attempts": _attempts(values["attempt_log"]),
    }


def job_body(job: Any) -> dict[str, Any]:
    """JobSerializer(job).data for a Job instance, built as the status read builds it (what
    a submit answers: about a millisecond less than the serializer). The result asset is
    read only when the job has one, as the serializer would."""
    values = {name: getattr(job, name) for name in DETAIL_JOB_FIELDS}
    asset = job.result_asset if job.result_asset_id is not None else None
    for name in DETAIL_ASSET_FIELDS:
        values[RESULT_PREFIX + name] = getattr(asset, name) if asset is not None else None
    return job_detail_body(values)


def job_detail_json(*, workspace: Any, public_id: str) -> bytes:
    """The status read's body, rendered as DRF's JSONRenderer renders it, from the
    database; and kept as the job's versioned record (apps/jobs/jobrecord.py) for the next
    poll to read with its key. The versions are read before the row that is kept, so a
    write that raced this read leaves the record stale (apps/core/vrecord.py)."""
    values = selectors.job_detail_values(workspace=workspace, public_id=public_id)
    if values[RESULT_PREFIX + "id"] is not None or vrecord.backend() is None:
        return _render(values)
    names = jobrecord.record_names(values["id"])
    versions = vrecord.versions_read(names)
    if versions is None:  # a write to this job is under way
        return _render(values)
    values = selectors.job_detail_values(workspace=workspace, public_id=public_id)
    body = _render(values)
    key = jobrecord.record_key(workspace.pk, public_id)
    if values[RESULT_PREFIX + "id"] is None and key is not None:
        vrecord.store(key, names, versions, body, jobrecord.RECORD_TTL_S)
    return body


def _render(values: dict[str, Any]) -> bytes:
    return _renderer().render(job_detail_body(values))


@functools.cache
def _renderer() -> JSONRenderer:
    return JSONRenderer()
