"""Fallback models at submit: `fallback_models: [...]`, each checked by the catalogue's
preflight against the same request (same method, every field valid for it) and priced.

The job's hold is the highest price among the primary and its candidates, so whichever
model delivers is covered; delivery captures the price of the model that delivered and
releases the rest (apps/jobs/delivery.py). Switching models is apps/jobs/failover.py."""

import json
from typing import Any

from apps.accounts.models import Workspace
from apps.catalog.checks.parse import Problem
from apps.catalog.preflight import Preflight, job_preflight, problems_raise
from apps.catalog.services import job_quote
from apps.catalog.timing import deadline_seconds
from apps.core.errors import ApplicationError, ErrorCode
from apps.providers.sandbox import inapp as provider_sandbox

MAX_FALLBACK_MODELS = 3
FIELD = "fallback_models"


def _ids(value: Any) -> list[str]:
    """The list as sent, checked for shape (400 on anything else)."""
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str):  # a form field: a JSON list or comma-separated ids
        text = value
        if text.lstrip().startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                value = None  # not a list: refused below
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems_raise(
            [Problem(FIELD, ErrorCode.VALIDATION_ERROR, f"{FIELD} must be a list of model ids.")]
        )
    if len(value) > MAX_FALLBACK_MODELS:
        problems_raise(
            [
                Problem(
                    FIELD,
                    ErrorCode.VALIDATION_ERROR,
                    f"At most {MAX_FALLBACK_MODELS} fallback models.",
                )
            ]
        )
    return list(value)


def fallbacks_preflight(
    *,
    value: Any,
    fields: dict[str, Any],
    inputs: dict[str, Any],
    primary: Preflight,
    workspace: Workspace,
) -> list[dict[str, Any]]:
    """The candidates, in order, each as preflight resolved it with its price (credits).
    Raises 400 with every problem at once: not a list, a duplicate, the primary itself, a
    different method, or any field the candidate does not accept."""
    problems: list[Problem] = []
    seen = {primary.model_id}
    candidates: list[dict[str, Any]] = []
    for index, model_id in enumerate(_ids(value)):
        where = f"{FIELD}[{index}]"
        try:
            pre = job_preflight(fields={**fields, "model": model_id}, inputs=inputs)
        except ApplicationError as exc:
            for found in (exc.details or {}).get("problems") or [{"message": exc.message}]:
                problems.append(
                    Problem(
                        f"{where}.{found.get('field') or 'model'}",
                        found.get("code") or exc.code,
                        f"Fallback {model_id}: {found.get('message') or exc.message}",
                        found.get("allowed"),
                    )
                )
            continue
        if pre.method != primary.method:
            problems.append(
                Problem(
                    where,
                    ErrorCode.VALIDATION_ERROR,
                    f"Fallback {model_id} would run {pre.method}, not {primary.method}.",
                )
            )
            continue
        if pre.model_id in seen:
            problems.append(
                Problem(
                    where,
                    ErrorCode.VALIDATION_ERROR,
                    f"{pre.model_id} is already the model or an earlier fallback.",
                )
            )
            continue
        seen.add(pre.model_id)
        provider = pre.entry.spec.provider
        candidates.append(
            {
                "model": pre.model_id,
                "provider": provider,
                "provider_model": pre.entry.spec.provider_model,
                "params": pre.job_fields(),
                "sandbox": provider_sandbox.serves(provider),
                "credits": job_quote(preflight=pre, workspace=workspace).credits,
                "deadline_s": deadline_seconds(pre),
            }
        )
    if problems:
        problems_raise(problems)
    return candidates
