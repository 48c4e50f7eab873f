"""The Studio and the job pages. They call the same services as the API; what a job looks
like on them (stage, elapsed time, ETA, why a held job waits) comes from jobrail."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.decorators import workspace_required
from apps.billing.selectors import credit_account_get
from apps.catalog.checks.parse import MAX_PROMPT_CHARS, OPTIONS
from apps.catalog.registry import CATALOG
from apps.catalog.registry.types import Method
from apps.catalog.selectors import models_for_picker
from apps.core.errors import NotFound
from apps.core.pages import run_action
from apps.dashboard import jobrail
from apps.dashboard.prefill import studio_prefill
from apps.gallery import storage
from apps.gallery.quota import upload_limit_bytes
from apps.gallery.services import asset_save
from apps.jobs import process
from apps.jobs import selectors as job_selectors
from apps.jobs import services as job_services
from apps.jobs.continuation import MAX_CROSSFADE
from apps.jobs.fallback import MAX_FALLBACK_MODELS
from apps.jobs.models import TERMINAL, Job
from apps.jobs.output import hls_tiers

# The Studio's generate tabs, in order, then one "Process" tab for these operations.
STUDIO_METHODS = ("text-to-video", "image-to-video", "extend-video", "lip-sync", "storyboard")
STUDIO_OPERATIONS = ("edit", "retake", "enhance", "transform", "optimize", "remove-background")
OPERATION_LABELS = {process.RETAKE: "Retake a stretch with a prompt (AI)"}


def _operation(op: str, labels: dict[str, str]) -> dict[str, Any]:
    method = process.PROCESS_METHODS[op]
    ai_models = process.ai_edit_models() if method == Method.EDIT else []
    return {
        "operation": op,
        "method": method,
        "label": OPERATION_LABELS.get(op, labels[method]),
        # catalogue field name -> the /process settings name (the local model's)
        "settings": {v: k for k, v in process.PROCESS_SETTINGS[op].items()},
        # An AI edit model takes a prompt and its own settings (the catalogue's names).
        "model_settings": {m: process.model_settings(CATALOG[m]) for m in ai_models},
        # Only these models are offered (None: every model of the method).
        "models": ai_models if op == process.RETAKE else None,
        "default_model": process.LOCAL_PROCESS_MODELS.get(op),
    }


def _studio_data(workspace: Any) -> dict[str, Any]:
    """Everything studio.js needs, embedded as JSON: the tabs, each method's models as the
    catalogue describes them, the allowed option values and the upload limit."""
    labels = dict(Method.choices)
    methods = {g["method"]: g["models"] for g in models_for_picker()}
    operations = [_operation(op, labels) for op in STUDIO_OPERATIONS]
    wanted = set(STUDIO_METHODS) | {o["method"] for o in operations}
    limit = upload_limit_bytes(workspace=workspace)
    tiers = hls_tiers()
    tier = workspace.tier.name if workspace.tier_id else ""
    return {
        "tabs": [{"key": m, "label": labels[m], "kind": "generate"} for m in STUDIO_METHODS]
        + [{"key": "process", "label": "Process", "kind": "process"}],
        "operations": operations,
        "models": {m: models for m, models in methods.items() if m in wanted},
        "options": {name: allowed for name, (_, allowed) in OPTIONS.items()},
        "prompt_max": MAX_PROMPT_CHARS,
        "upload": {"max_bytes": limit, "label": filesizeformat(limit)},
        "terminal": sorted(TERMINAL),
        "ended_words": {str(k): v for k, v in jobrail.ENDED_WORDS.items()},
        "review_next": jobrail.REVIEW_NEXT,
        # Output format HLS: offered to the tiers in HLS_TIERS, shown disabled to others.
        "hls": {"tiers": tiers, "tier": tier, "allowed": tier in tiers},
        "max_fallbacks": MAX_FALLBACK_MODELS,
        "continuation": {"max_crossfade": MAX_CROSSFADE},
    }


def _job_or_404(request: HttpRequest, job_id: str) -> Job:
    try:
        return job_selectors.job_get(workspace=request.workspace, public_id=job_id)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404("No such job.") from None


@workspace_required
def studio(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    data = _studio_data(workspace)
    # ?tab=, and ?prompt= / ?model= / ?source= from the gallery's Reuse prompt and Remix.
    tab, data["prefill"] = studio_prefill(workspace=workspace, query=request.GET, data=data)
    return render(
        request,
        "dashboard/studio.html",
        {
            "studio": data,
            "tab": tab,
            "prefill_notice": data["prefill"]["notice"],
            "tabs": data["tabs"],
            "tier": workspace.tier,
            "account": credit_account_get(workspace=workspace),
            "upload_limit": data["upload"]["max_bytes"],
            "rail": jobrail.rail_jobs(workspace=workspace),
        },
    )


@workspace_required
@require_GET
def studio_jobs(request: HttpRequest) -> HttpResponse:
    """The jobs rail alone, for the Studio to refresh in place."""
    return render(
        request,
        "dashboard/_jobs_rail.html",
        {"rail": jobrail.rail_jobs(workspace=request.workspace)},  # type: ignore[attr-defined]
    )


def _result_urls(job: Job) -> dict[str, str | None] | None:
    if job.status != "completed" or job.result_asset is None:
        return None
    return storage.asset_urls(job.result_asset)


@workspace_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job_or_404(request, job_id)
    params = {k: v for k, v in (job.params or {}).items() if v not in (None, "", [])}
    view = jobrail.job_view(job, workspace=request.workspace)  # type: ignore[attr-defined]
    return render(
        request,
        "dashboard/job_detail.html",
        {
            "job": job,
            "view": view,
            "params": sorted(params.items()),
            "events": job.events.all(),
            "result": _result_urls(job),
            "terminal": job.is_terminal,
            # A cancellation is the owner's own doing, not an error to show.
            "show_error": bool(job.error_message) and job.status != "cancelled",
            "studio": {
                "terminal": sorted(TERMINAL),
                "ended_words": {str(k): v for k, v in jobrail.ENDED_WORDS.items()},
            },
        },
    )


@workspace_required
@require_GET
def job_download(request: HttpRequest, job_id: str) -> HttpResponse:
    """The result as an attachment (a redirect to a short-lived signed URL)."""
    urls = _result_urls(_job_or_404(request, job_id))
    if urls is None or not urls["download"]:
        raise Http404("This job has no result yet.")
    return redirect(urls["download"])


@workspace_required
@require_POST
def job_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job_or_404(request, job_id)
    run_action(
        request, lambda: job_services.job_cancel(job=job), "Job cancelled; its credits are back."
    )
    return redirect("dashboard:job-detail", job_id=job.public_id)


@workspace_required
@require_POST
def job_save(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job_or_404(request, job_id)
    if job.result_asset is None:
        messages.error(request, "This job has no result to save yet.")
    else:
        asset_save(asset=job.result_asset)
        messages.success(request, "Saved to the gallery.")
    return redirect("dashboard:job-detail", job_id=job.public_id)
