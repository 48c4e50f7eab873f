"""Dashboard pages. They call the same services as the API and show an ApplicationError's
message, never a traceback."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_GET, require_POST

from apps.accounts import selectors, services
from apps.accounts.decorators import workspace_required
from apps.accounts.keys import display as key_display
from apps.billing.selectors import credit_account_get
from apps.catalog.checks.parse import OPTIONS
from apps.catalog.registry.types import Method
from apps.catalog.selectors import models_for_picker
from apps.core.errors import NotFound
from apps.core.pages import run_action
from apps.dashboard import provisioning
from apps.dashboard.forms import ApiKeyForm, LoginForm, MemberAddForm, MemberRoleForm, SignupForm
from apps.gallery import storage
from apps.gallery.quota import upload_limit_bytes
from apps.gallery.services import asset_save
from apps.jobs import selectors as job_selectors
from apps.jobs import services as job_services
from apps.jobs.models import TERMINAL, Job


class EmailLoginView(LoginView):
    template_name = "dashboard/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = run_action(
            request,
            lambda: provisioning.account_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                name=form.cleaned_data["name"],
            ),
            "Welcome to Reelsmith.",
        )
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("dashboard:home")
    return render(request, "dashboard/signup.html", {"form": form})


@workspace_required
def home(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    quota = workspace.tier.storage_quota_bytes
    used = workspace.storage_used_bytes
    return render(
        request,
        "dashboard/home.html",
        {
            "workspace": workspace,
            "tier": workspace.tier,
            "account": credit_account_get(workspace=workspace),
            # Rounded down: a nearly empty workspace shows 0 % and an empty bar.
            "storage_pct": min(100, used * 100 // quota) if quota else None,
        },
    )


@login_required
@require_POST
def switch_workspace(request: HttpRequest) -> HttpResponse:
    run_action(
        request,
        lambda: services.workspace_switch(
            user=request.user,  # type: ignore[arg-type]
            workspace_public_id=request.POST.get("workspace", ""),
        ),
        "",
    )
    return redirect(request.POST.get("next") or "dashboard:home")


# The session slot that carries a new key's secret across the redirect after its POST.
NEW_KEY_SESSION = "dashboard.new_api_key"


@workspace_required
def api_keys(request: HttpRequest) -> HttpResponse:
    """Post/redirect/get: creating a key redirects, so a reload never creates a second one.
    The secret rides in the session (never the URL) and is shown once: the GET that shows
    it removes it, and only for the workspace it was made in."""
    membership = request.membership  # type: ignore[attr-defined]
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = run_action(
            request,
            lambda: services.api_key_create(actor=membership, name=form.cleaned_data["name"]),
            "Key created. Copy it now: it will not be shown again.",
        )
        if created:
            request.session[NEW_KEY_SESSION] = {
                "workspace": membership.workspace.public_id,
                "secret": created[1],
            }
            return redirect("dashboard:api-keys")
    pending = request.session.pop(NEW_KEY_SESSION, None) if request.method == "GET" else None
    new_secret = None
    if pending and pending.get("workspace") == membership.workspace.public_id:
        new_secret = pending.get("secret")
    keys = selectors.api_keys_list(workspace=membership.workspace).order_by("-created_at")
    return render(
        request,
        "dashboard/api_keys.html",
        {
            "form": form,
            "new_secret": new_secret,
            "keys": [(k, key_display(k.prefix)) for k in keys],
        },
    )


@workspace_required
@require_POST
def api_key_revoke(request: HttpRequest, key_id: str) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]

    def revoke() -> None:
        api_key = selectors.api_key_get(workspace=membership.workspace, public_id=key_id)
        services.api_key_revoke(actor=membership, api_key=api_key)

    run_action(request, revoke, "Key revoked.")
    return redirect("dashboard:api-keys")


@workspace_required
def members(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = run_action(
            request,
            lambda: services.membership_add(
                actor=membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            ),
            f"Added {form.cleaned_data['email']}.",
        )
        if added:
            return redirect("dashboard:members")
    return render(
        request,
        "dashboard/members.html",
        {
            "form": form,
            "members": selectors.members_list(workspace=membership.workspace).order_by(
                "created_at"
            ),
            "roles": MemberRoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
        },
    )


@workspace_required
@require_POST
def member_change(request: HttpRequest, member_id: str) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = MemberRoleForm(request.POST)

    def change() -> None:
        target = selectors.membership_get(workspace=membership.workspace, public_id=member_id)
        if form.is_valid():
            services.membership_change_role(
                actor=membership, membership=target, role=form.cleaned_data["role"]
            )

    run_action(request, change, "Role changed.")
    return redirect("dashboard:members")


@workspace_required
@require_POST
def member_remove(request: HttpRequest, member_id: str) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]

    def remove() -> None:
        target = selectors.membership_get(workspace=membership.workspace, public_id=member_id)
        services.membership_remove(actor=membership, membership=target)

    run_action(request, remove, "Member removed.")
    return redirect("dashboard:members")


# --- studio and job pages ------------------------------------------------------------------

# The Studio's generate tabs, in order, then one "Process" tab for these operations.
STUDIO_METHODS = ("text-to-video", "image-to-video", "extend-video", "lip-sync", "storyboard")
STUDIO_OPERATIONS = ("edit", "enhance", "transform", "optimize")
RECENT_JOBS = 10


def _studio_data(workspace: Any) -> dict[str, Any]:
    """Everything studio.js needs, embedded as JSON: the tabs, each method's models as the
    catalogue describes them, the allowed option values and the upload limit."""
    labels = dict(Method.choices)
    methods = {g["method"]: g["models"] for g in models_for_picker()}
    operations = [
        {
            "operation": op,
            "method": job_services.PROCESS_METHODS[op],
            "label": labels[job_services.PROCESS_METHODS[op]],
            # catalogue field name -> the /process settings name
            "settings": {v: k for k, v in job_services.PROCESS_SETTINGS[op].items()},
            "default_model": job_services.LOCAL_PROCESS_MODELS.get(op),
        }
        for op in STUDIO_OPERATIONS
    ]
    wanted = set(STUDIO_METHODS) | {o["method"] for o in operations}
    limit = upload_limit_bytes(workspace=workspace)
    return {
        "tabs": [{"key": m, "label": labels[m], "kind": "generate"} for m in STUDIO_METHODS]
        + [{"key": "process", "label": "Process", "kind": "process"}],
        "operations": operations,
        "models": {m: models for m, models in methods.items() if m in wanted},
        "options": {
            name: allowed for name, (_, allowed) in OPTIONS.items() if name != "negative_prompt"
        },
        "upload": {"max_bytes": limit, "label": filesizeformat(limit)},
        "terminal": sorted(TERMINAL),
    }


def _job_or_404(request: HttpRequest, job_id: str) -> Job:
    try:
        return job_selectors.job_get(workspace=request.workspace, public_id=job_id)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404("No such job.") from None


def _recent_jobs(workspace: Any) -> Any:
    return job_selectors.jobs_list(workspace=workspace).order_by("-created_at")[:RECENT_JOBS]


@workspace_required
def studio(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    data = _studio_data(workspace)
    tab = request.GET.get("tab", "")
    keys = [t["key"] for t in data["tabs"]]
    return render(
        request,
        "dashboard/studio.html",
        {
            "studio": data,
            "tab": tab if tab in keys else keys[0],
            "tabs": data["tabs"],
            "tier": workspace.tier,
            "account": credit_account_get(workspace=workspace),
            "upload_limit": data["upload"]["max_bytes"],
            "jobs": _recent_jobs(workspace),
        },
    )


@workspace_required
@require_GET
def studio_jobs(request: HttpRequest) -> HttpResponse:
    """The recent-jobs table alone, for htmx to refresh in place."""
    return render(
        request,
        "dashboard/_recent_jobs.html",
        {"jobs": _recent_jobs(request.workspace)},  # type: ignore[attr-defined]
    )


def _result_urls(job: Job) -> dict[str, str | None] | None:
    if job.status != "completed" or job.result_asset is None:
        return None
    return storage.asset_urls(job.result_asset)


@workspace_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job_or_404(request, job_id)
    params = {k: v for k, v in (job.params or {}).items() if v not in (None, "", [])}
    return render(
        request,
        "dashboard/job_detail.html",
        {
            "job": job,
            "params": sorted(params.items()),
            "events": job.events.all(),
            "result": _result_urls(job),
            "terminal": job.is_terminal,
            "studio": {"terminal": sorted(TERMINAL)},
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
