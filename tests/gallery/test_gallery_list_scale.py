"""GET /api/v1/gallery stays flat as the gallery grows (issue 19): a page costs the same
queries with 3 assets and with 120, at any depth and page size, and the keyset cursor
walks every asset exactly once, in order, both ways, through ties of created_at."""

import datetime as dt
from base64 import b64encode
from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.gallery.models import Asset, AssetKind, AssetStatus, Visibility

GALLERY = "/api/v1/gallery"
KINDS = [AssetKind.VIDEO, AssetKind.IMAGE, AssetKind.AUDIO]
VISIBILITIES = [Visibility.PRIVATE, Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE]
# The filters the API takes, alone and together.
FILTERS = [
    {},
    {"kind": "video"},
    {"visibility": "public"},
    {"favorite": "true"},
    {"saved": "false"},
    {"kind": "image", "visibility": "public", "saved": "false"},
    {"q": "clip"},
]


def _b64(text: str) -> str:
    return b64encode(text.encode()).decode()


def make_assets(workspace, count: int, *, start: int = 0, ties: int = 0) -> list[Asset]:
    """`count` assets a minute apart (the first `ties` of them in one instant), a mix of
    kinds, visibilities, favourites and saved; every tenth still uploading. Each has a file
    and a thumbnail, so the list signs three URLs per row."""
    rows = [
        Asset(
            workspace=workspace,
            status=AssetStatus.UPLOADING if i % 10 == 9 else AssetStatus.READY,
            kind=KINDS[i % 3],
            visibility=VISIBILITIES[i % 4],
            favorite=i % 5 == 0,
            saved=i % 2 == 0,
            storage_key=f"ws/{workspace.public_id}/assets/a{i}/clip.mp4",
            thumbnail_key=f"ws/{workspace.public_id}/assets/a{i}/thumb.jpg",
            original_name=f"clip {i}.mp4",
            content_type="video/mp4",
            title=f"Clip {i}",
        )
        for i in range(start, start + count)
    ]
    made = Asset.objects.bulk_create(rows)
    base = timezone.now() - dt.timedelta(days=30)
    for n, asset in enumerate(made):
        # A fixed instant for the ties, else shuffled so id order is not time order.
        minutes = 0 if n < ties else (start + n) * 7919 % 100_000
        asset.created_at = base + dt.timedelta(minutes=minutes)
    Asset.objects.bulk_update(made, ["created_at"])
    return made


def expected_ids(workspace, filters: dict[str, str]) -> list[str]:
    qs = Asset.objects.filter(workspace=workspace, status=AssetStatus.READY)
    for name, value in filters.items():
        if name in ("favorite", "saved"):
            qs = qs.filter(**{name: value == "true"})
        elif name == "q":
            qs = qs.filter(title__icontains=value)
        else:
            qs = qs.filter(**{name: value})
    return list(qs.order_by("-created_at", "-public_id").values_list("public_id", flat=True))


def get_counted(api, url: str, params: dict | None = None) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, params)
    assert response.status_code == 200, response.json()
    return len(queries.captured_queries), response.json()


def walk(api, url: str, params: dict | None = None) -> tuple[list[str], list[dict]]:
    """Every id, following `next` from the first page; and the pages."""
    pages = []
    body = api.get(url, params).json()
    pages.append(body)
    while body["next"]:
        body = api.get(body["next"]).json()
        pages.append(body)
    return [a["id"] for page in pages for a in page["results"]], pages


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "&".join(f) or "none")
def test_a_page_costs_the_same_queries_with_3_assets_and_with_120(alice, filters):
    make_assets(alice.workspace, 3)
    alice.api.get(GALLERY)  # the key's last_used_at is written at most once a minute
    few, _ = get_counted(alice.api, GALLERY, {**filters, "limit": 2})

    make_assets(alice.workspace, 117, start=3)
    many, first = get_counted(alice.api, GALLERY, {**filters, "limit": 2})
    big_page, _ = get_counted(alice.api, GALLERY, {**filters, "limit": 200})
    assert first["results"]
    deep = first
    for _ in range(5):  # a few pages in, by the links the API hands out
        if not deep["next"]:
            break
        deep_queries, deep = get_counted(alice.api, deep["next"])
        assert deep_queries == few
    assert few == many == big_page
    # The page itself, plus the key's lookup where no Redis holds its record
    # (apps/accounts/keycache.py): nothing per row.
    assert few == 1 + (0 if isinstance(caches["default"], RedisCache) else 1)


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "&".join(f) or "none")
def test_the_cursor_walk_returns_every_asset_once_in_order_both_ways(alice, charlie, filters):
    # 30 in one instant: more than a page shares a created_at.
    make_assets(alice.workspace, 120, ties=30)
    make_assets(charlie.workspace, 20, start=500)
    expected = expected_ids(alice.workspace, filters)
    assert expected

    seen, pages = walk(alice.api, GALLERY, {**filters, "limit": 7})
    assert seen == expected

    # Back from the last page by `previous`: the same assets, the same order.
    body, back = pages[-1], []
    while True:
        back[:0] = [a["id"] for a in body["results"]]
        if not body["previous"]:
            break
        body = alice.api.get(body["previous"]).json()
    assert back == expected


def test_a_thousand_assets_made_in_one_instant_are_walked_through(alice):
    # DRF's cursor keeps created_at alone and offsets past ties, up to 1,000 rows: the
    # walk used to stop with a 400 on the sixth page of 200.
    make_assets(alice.workspace, 1_500, ties=1_500)
    seen, _ = walk(alice.api, GALLERY, {"limit": 200})
    assert seen == expected_ids(alice.workspace, {})
    assert len(seen) == len(set(seen)) == 1_350


def test_a_cursor_handed_out_before_keyset_pages_still_works(alice):
    make_assets(alice.workspace, 12)
    expected = expected_ids(alice.workspace, {})
    boundary = Asset.objects.get(public_id=expected[4])
    # CursorPagination's own form: the created_at of the last row seen, no id.
    cursor = _b64(urlencode({"p": str(boundary.created_at)}))
    response = alice.api.get(GALLERY, {"cursor": cursor, "limit": 3})
    assert response.status_code == 200, response.json()
    assert [a["id"] for a in response.json()["results"]] == expected[5:8]


@pytest.mark.parametrize(
    "position",
    [
        "2026-01-01T00:00:00+00:00~x",
        "2026-01-01T00:00:00+00:00~0",
        "2026-01-01T00:00:00+00:00~-1",
        "2026-01-01T00:00:00+00:00~99999999999999999999",  # the integer pk stays inside
        "2026-01-01T00:00:00+00:00~ast_x'; drop table x",
        "2026-01-01T00:00:00+00:00~",
        "2026-01-01T00:00:00~ast_aaaaaaaaaaaaaaaaaaaa",  # no time zone
        "2026-13-45T00:00:00+00:00~ast_aaaaaaaaaaaaaaaaaaaa",
        "99999-01-01T00:00:00+00:00~ast_aaaaaaaaaaaaaaaaaaaa",
        "~ast_aaaaaaaaaaaaaaaaaaaa",
        "1~ast_aaaaaaaaaaaaaaaaaaaa",
    ],
)
def test_a_crafted_keyset_cursor_is_a_400_naming_cursor(alice, position):
    make_assets(alice.workspace, 3)
    response = alice.api.get(GALLERY, {"cursor": _b64(urlencode({"p": position}))})
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert "cursor" in error["details"]["fields"]


def test_a_keyset_cursor_with_an_offset_is_a_400_naming_cursor(alice):
    make_assets(alice.workspace, 3)
    position = "2026-01-01T00:00:00+00:00~ast_aaaaaaaaaaaaaaaaaaaa"
    assert alice.api.get(GALLERY, {"cursor": _b64(urlencode({"p": position}))}).status_code == 200
    response = alice.api.get(GALLERY, {"cursor": _b64(urlencode({"o": 2, "p": position}))})
    assert response.status_code == 400, response.json()
    assert "cursor" in response.json()["error"]["details"]["fields"]
