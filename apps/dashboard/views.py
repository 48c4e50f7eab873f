"""Dashboard pages. They call the same services as the API and show an ApplicationError's
message, never a traceback."""

from urllib.parse import urlsplit

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.accounts import selectors, services
from apps.accounts.decorators import workspace_required
from apps.accounts.keys import display as key_display
from apps.billing.selectors import credit_account_get
from apps.core.errors import NotFound
from apps.core.pages import run_action
from apps.dashboard import provisioning
from apps.dashboard.forms import ApiKeyForm, LoginForm, MemberAddForm, MemberRoleForm, SignupForm


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
    return redirect(_after_switch(request))


def _after_switch(request: HttpRequest) -> str:
    """Where to go after a workspace switch: back to the same page, except a page about
    one object of the old workspace (a job), which would be a 404 in the new one: the
    Studio instead. Only paths on this site."""
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return reverse("dashboard:home")
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return reverse("dashboard:home")
    if match.view_name in OBJECT_PAGES:
        return reverse(OBJECT_PAGES[match.view_name])
    return target


# Pages about one object of a workspace -> the page listing such objects.
OBJECT_PAGES = {
    "dashboard:job-detail": "dashboard:studio",
    "dashboard:job-download": "dashboard:studio",
    "gallery:detail": "gallery:list",
}


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
        settings = form.settings()
        if settings["expires_at"] is None:
            del settings["expires_at"]
        created = run_action(
            request,
            lambda: services.api_key_create(actor=membership, **settings),
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
            "can_manage": membership.can_manage,
        },
    )


@workspace_required
def api_key_edit(request: HttpRequest, key_id: str) -> HttpResponse:
    """A key's maker, or an owner or admin, changes its name, scopes, models, monthly
    limit and expiry; the next request made with the key sees the change."""
    membership = request.membership  # type: ignore[attr-defined]
    try:
        api_key = selectors.api_key_get(workspace=membership.workspace, public_id=key_id)
    except NotFound:
        raise Http404("No such API key.") from None
    if api_key.created_by_id != request.user.pk and not membership.can_manage:
        raise DjangoPermissionDenied("Only owners and admins can change someone else's key.")
    form = ApiKeyForm(request.POST) if request.method == "POST" else ApiKeyForm.for_key(api_key)
    if request.method == "POST" and form.is_valid():
        changes = form.settings()
        if changes["expires_at"] == api_key.expires_at:
            del changes["expires_at"]  # unchanged: a past expiry may stay as it is
        updated = run_action(
            request,
            lambda: services.api_key_update(actor=membership, api_key=api_key, changes=changes),
            "Key updated.",
        )
        if updated:
            return redirect("dashboard:api-keys")
    return render(
        request,
        "dashboard/api_key_edit.html",
        {"form": form, "key": api_key, "shown": key_display(api_key.prefix)},
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
