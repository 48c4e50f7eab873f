"""Gallery pages: the workspace's gallery (views Results, Uploads, Saved, All), an asset's
page and its actions, and the two pages anyone may open: the public feed and an asset's
share page (with Open Graph tags so a shared link previews)."""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from apps.accounts.decorators import workspace_required
from apps.core.errors import NotFound
from apps.core.pages import run_action
from apps.gallery import hooks, selectors, services, storage
from apps.gallery.hls import hls_url
from apps.gallery.models import Asset, AssetKind, Visibility
from apps.gallery.selectors import GalleryView

PER_PAGE = 24
# The Studio fills its form from these query parameters (documented in docs/storage.md).
STUDIO_PROMPT_MAX = 2000
# A remixed asset becomes the input of this Studio tab, by kind.
REMIX_TABS: dict[str, str] = {AssetKind.IMAGE: "image-to-video", AssetKind.VIDEO: "extend-video"}


def _bool(value: str | None) -> bool | None:
    return {"1": True, "true": True, "0": False, "false": False}.get((value or "").lower())


def studio_links(asset: Asset) -> dict[str, str | None]:
    """Links that open the Studio pre-filled: `reuse` with the asset's prompt and model,
    `remix` with the asset itself as the input of the tab that takes its kind."""
    base = reverse("dashboard:studio")
    reuse = None
    if asset.prompt or asset.model:
        query = {"prompt": asset.prompt[:STUDIO_PROMPT_MAX], "model": asset.model}
        reuse = base + "?" + urlencode({k: v for k, v in query.items() if v})
    remix = None
    tab = REMIX_TABS.get(asset.kind)
    if tab:
        query = {"tab": tab, "source": asset.public_id, "prompt": asset.prompt[:STUDIO_PROMPT_MAX]}
        remix = base + "?" + urlencode({k: v for k, v in query.items() if v})
    return {"reuse": reuse, "remix": remix}


@workspace_required
def gallery_page(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    view = request.GET.get("view")
    view = view if view in GalleryView.values else GalleryView.RESULTS
    kind = request.GET.get("kind") if request.GET.get("kind") in AssetKind.values else None
    visibility = request.GET.get("visibility")
    visibility = visibility if visibility in Visibility.values else None
    favorite = _bool(request.GET.get("favorite"))
    q = (request.GET.get("q") or "").strip()[:200]
    assets = selectors.assets_list(
        workspace=workspace,
        view=view,
        kind=kind,
        visibility=visibility,
        favorite=favorite,
        q=q or None,
    )
    page = Paginator(assets, PER_PAGE).get_page(request.GET.get("page"))
    tier = workspace.tier
    used, quota = workspace.storage_used_bytes, tier.storage_quota_bytes
    return render(
        request,
        "gallery/list.html",
        {
            "page": page,
            "items": [(a, storage.asset_urls(a), studio_links(a)) for a in page.object_list],
            "view": view,
            "views": GalleryView.choices,
            "filters": {"kind": kind, "visibility": visibility, "favorite": favorite, "q": q},
            "kinds": AssetKind.choices,
            "visibilities": Visibility.choices,
            "tier": tier,
            "max_upload_bytes": tier.max_upload_bytes,
            "workspace": workspace,
            "storage_pct": min(100, used * 100 // quota) if quota else None,
        },
    )


@workspace_required
def asset_page(request: HttpRequest, asset_id: str) -> HttpResponse:
    asset = _asset_or_404(request, asset_id)
    return render(
        request,
        "gallery/detail.html",
        {
            "asset": asset,
            "urls": {**storage.asset_urls(asset), "hls": hls_url(asset)},
            "studio": studio_links(asset),
            "visibilities": Visibility.choices,
            "expires_at": services.asset_expires_at(asset),
            "share_url": _share_url(asset) if _is_shared(asset) else None,
        },
    )


def _asset_or_404(request: HttpRequest, asset_id: str) -> Any:
    try:
        return selectors.asset_get(workspace=request.workspace, public_id=asset_id)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404("No such asset.") from None


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    nxt = request.POST.get("next") or ""
    # Only our own paths: never an open redirect.
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect(fallback)


@workspace_required
@require_POST
def asset_visibility(request: HttpRequest, asset_id: str) -> HttpResponse:
    asset = _asset_or_404(request, asset_id)
    run_action(
        request,
        lambda: services.asset_update(asset=asset, visibility=request.POST.get("visibility")),
        "Visibility changed.",
    )
    return _back(request, "gallery:list")


@workspace_required
@require_POST
def asset_title(request: HttpRequest, asset_id: str) -> HttpResponse:
    asset = _asset_or_404(request, asset_id)
    title = " ".join((request.POST.get("title") or "").split())
    run_action(request, lambda: services.asset_update(asset=asset, title=title), "Title saved.")
    return _back(request, "gallery:list")


@workspace_required
@require_POST
def asset_save(request: HttpRequest, asset_id: str) -> HttpResponse:
    asset = _asset_or_404(request, asset_id)
    run_action(request, lambda: services.asset_save(asset=asset), "Saved to the gallery.")
    return _back(request, "gallery:list")


@workspace_required
@require_POST
def asset_favorite(request: HttpRequest, asset_id: str) -> HttpResponse:
    asset = _asset_or_404(request, asset_id)
    run_action(request, lambda: services.asset_update(asset=asset, favorite=not asset.favorite), "")
    return _back(request, "gallery:list")


@workspace_required
@require_POST
def asset_delete(request: HttpRequest, asset_id: str) -> HttpResponse:
    asset = _asset_or_404(request, asset_id)
    run_action(request, lambda: services.asset_delete(asset=asset), "Asset deleted.")
    return redirect("gallery:list")


# --- public pages (no login) ------------------------------------------------------------


def _is_shared(asset: Asset) -> bool:
    return selectors.assets_public().filter(pk=asset.pk).exists()


def _share_url(asset: Asset) -> str:
    return settings.PUBLIC_BASE_URL + reverse("gallery:share", args=[asset.public_id])


def _public_urls(asset: Asset) -> dict[str, str | None]:
    # Link previews are fetched some time after the page: the longest signed lifetime.
    ttl = settings.GALLERY_SIGNED_URL_MAX_TTL_S
    return {
        "url": storage.asset_url(asset, expires_in=ttl),
        "thumbnail": storage.asset_thumbnail_url(asset, expires_in=ttl),
        "hls": hls_url(asset, expires_in=ttl),
    }


@require_safe
def public_feed(request: HttpRequest) -> HttpResponse:
    """The public feed as a page: what GET /api/v1/gallery/public lists (title, tags and
    media), linking to each share page."""
    page = Paginator(selectors.assets_public(), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "gallery/public_feed.html",
        {"page": page, "items": [(a, storage.asset_urls(a)) for a in page.object_list]},
    )


def _public_asset_or_404(asset_id: str) -> Asset:
    try:
        return selectors.asset_get_public(public_id=asset_id)
    except NotFound:
        raise Http404("No such public asset.") from None


@require_safe
def share_page(request: HttpRequest, asset_id: str) -> HttpResponse:
    """A public asset's own page: player, title, the workspace's name (only once that name
    has passed screening: hooks.public_name_allowed) and a report button."""
    asset = _public_asset_or_404(asset_id)
    name = asset.workspace.name
    return render(
        request,
        "gallery/share.html",
        {
            "asset": asset,
            "urls": _public_urls(asset),
            "share_url": _share_url(asset),
            "author": name if hooks.public_name_allowed(name) else None,
        },
    )


@require_POST
def share_report(request: HttpRequest, asset_id: str) -> HttpResponse:
    """Reports need an account (a report belongs to the reporter's workspace): anonymous
    visitors are asked to log in and come back to the share page."""
    asset = _public_asset_or_404(asset_id)
    back = reverse("gallery:share", args=[asset.public_id])
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    if getattr(request, "membership", None) is None:
        return render(request, "dashboard/no_workspace.html", status=403)
    run_action(
        request,
        lambda: services.asset_report(
            workspace=request.workspace,  # type: ignore[attr-defined]
            reporter=request.user,  # type: ignore[arg-type]
            asset=asset,
            reason=request.POST.get("reason") or "",
        ),
        "Thank you. The moderators will look at it.",
    )
    return redirect(back)
