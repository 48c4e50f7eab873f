"""GET /api/v1/gallery with 1,000 and with 100,000 assets in a workspace (issue 19).

    DATABASE_URL=postgres://…/reelsmith_bench .venv/bin/python bench/gallery.py \
        [--small 1000] [--large 100000] [--others 6] [--repeat 30] [--explain]

Uses the PostgreSQL database of DATABASE_URL (migrated first; earlier bench rows are
removed). One workspace holds `--small` assets and another `--large`, in one table beside
six other workspaces of 5,000 each, as in production; the two are measured in turn, request
by request, so the shared machine's noise falls on both alike and the ratio is fair. Rows
are written in SQL (seconds; bulk_create takes ~50 s for 100k) with a gallery's mix: 70 %
videos, 20 % images, 10 % audio; 80 % private, 10 % unlisted; 60 % saved (job results);
2 % still uploading; created over a year; 30 favourites whatever the size. Then VACUUM
ANALYZE (what autovacuum does to a grown table).

Each request goes through the whole Django + DRF stack in-process (API-key auth, rate
limit, filter validation, the list query, signed URLs, rendering) with Django's test
client: server time without the network. Variants: the first page and a deep page (the
middle of the matching assets, the page a `next` link there leads to), without and with
filters; each returns as many rows at both sizes. Prints rows | assets | p50 ms | p99 ms |
queries, then the large/small ratios; `--explain` adds the large list's query plans.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

EMAIL_DOMAIN = "@gallery-bench.local"
# (label, query, deep): deep pages start in the middle of the workspace's matching assets.
# Each returns as many rows at both sizes (full pages, or the same few favourites), so the
# ratio compares like with like.
VARIANTS: list[tuple[str, dict[str, str], bool]] = [
    ("first page", {}, False),
    ("first page, kind=audio", {"kind": "audio"}, False),
    ("first page, favorite=true", {"favorite": "true"}, False),
    ("first page, kind=audio&favorite=true", {"kind": "audio", "favorite": "true"}, False),
    (
        "first page, visibility=unlisted&saved=true",
        {"visibility": "unlisted", "saved": "true"},
        False,
    ),
    ("deep page", {}, True),
    ("deep page, kind=image", {"kind": "image"}, True),
    ("deep page, favorite=true", {"favorite": "true"}, True),
]
FAVORITES = 30

# One INSERT … SELECT per batch: a Python bulk_create of 100k assets takes ~50 s here.
SEED_SQL = """
INSERT INTO gallery_asset (
    created_at, updated_at, public_id, workspace_id, owner_id, status, kind, storage_key,
    thumbnail_key, hls_key, original_name, content_type, container, size_bytes, duration,
    width, height, fps, video_codec, audio_codec, visibility, moderation_state, title,
    prompt, model, source_job_id, sandbox, tags, favorite, saved, upload_expires_at)
SELECT t, t, 'ast_' || substr(md5(%(ws)s::text || '-' || g::text || '-' || %(run)s), 1, 20),
    %(ws)s, NULL,
    CASE WHEN r1 < 0.02 THEN 'uploading' ELSE 'ready' END,
    CASE WHEN r2 < 0.7 THEN 'video' WHEN r2 < 0.9 THEN 'image' ELSE 'audio' END,
    'ws/bench/assets/' || g || '/file.mp4', 'ws/bench/assets/' || g || '/thumb.jpg', '',
    'clip-' || g || '.mp4', 'video/mp4', 'mp4', 1000000, 5.0, 1280, 720, 24.0, 'h264', 'aac',
    CASE WHEN r3 < 0.8 THEN 'private' WHEN r3 < 0.9 THEN 'unlisted' ELSE 'public' END,
    'approved', 'Bench clip ' || g, 'a prompt', 'local/text-to-video',
    CASE WHEN r4 < 0.6 THEN 'job_bench' || g ELSE '' END, false, '[]'::jsonb,
    false, r4 < 0.6, NULL
FROM (
    SELECT g, now() - random() * interval '365 days' AS t, random() AS r1, random() AS r2,
           random() AS r3, random() AS r4
    FROM generate_series(%(start)s, %(stop)s) AS g
) AS rows
"""


# People star a handful of assets, not a share of them: the same few at any size.
FAVORITES_SQL = """
UPDATE gallery_asset SET favorite = true WHERE id IN (
    SELECT id FROM gallery_asset WHERE workspace_id = %(ws)s AND status = 'ready'
    ORDER BY random() LIMIT %(favorites)s)
"""


def seed(workspace: Any, count: int, run: int, favorites: int = 0) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(SEED_SQL, {"ws": workspace.id, "run": run, "start": 1, "stop": count})
        cursor.execute(FAVORITES_SQL, {"ws": workspace.id, "favorites": favorites})


def measure(targets: list[tuple[Any, str]], repeat: int) -> list[tuple[list[float], int, Any]]:
    """Each (client, url) `repeat` times after 3 warm-ups, taking turns so that the shared
    machine's noise falls on every target alike; then the queries of one more request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings: list[list[float]] = [[] for _ in targets]
    for i in range(repeat + 3):
        for n, (client, url) in enumerate(targets):
            t0 = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, response.content[:300]
            if i >= 3:
                timings[n].append(elapsed)
    results = []
    for n, (client, url) in enumerate(targets):
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        results.append(
            (sorted(timings[n]), len(queries.captured_queries), queries.captured_queries)
        )
    return results


def deep_url(client: Any, workspace: Any, query: dict[str, str]) -> tuple[str, str]:
    """The link to the page that starts in the middle of the matching assets (the
    paginator's own `next` cursor after the asset before it), and its first row's id."""
    from rest_framework.pagination import Cursor

    from apps.gallery import selectors
    from apps.gallery.api.views import GalleryListView

    filters = {k: (v == "true" if k in ("favorite", "saved") else v) for k, v in query.items()}
    ordered = selectors.assets_list(workspace=workspace, **filters).order_by(
        "-created_at", "-public_id"
    )
    middle = ordered.count() // 2
    before, expected = ordered[middle - 1 : middle + 1]
    paginator = GalleryListView.pagination_class()
    paginator.base_url = "http://testserver/api/v1/gallery?" + urlencode(query)
    position = getattr(paginator, "position_of", lambda a: str(a.created_at))(before)
    url = paginator.encode_cursor(Cursor(offset=0, reverse=False, position=position))
    body = client.get(url).json()
    assert body["results"][0]["id"] == expected.public_id, "the cursor lost its place"
    return url, expected.public_id


def database_ensure(url: str) -> None:
    """Create the bench database when it is missing (BENCH_DATABASE_URL names its own)."""
    import psycopg
    from psycopg import sql

    try:
        psycopg.connect(url).close()
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
        server, name = url.rsplit("/", 1)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"created database {name}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--others", type=int, default=6, help="other workspaces (5,000 each)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print the large list's plans")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the plans are PostgreSQL's).")
    database_ensure(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from apps.accounts import services as accounts
    from apps.accounts.models import Membership, Tier
    from apps.gallery.models import Asset

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    bench_assets = Asset.objects.filter(workspace__created_by__email__endswith=EMAIL_DOMAIN)
    bench_assets._raw_delete(bench_assets.db)  # bench assets have no reports to cascade to
    # Earlier runs' tenants stay (the ledger keeps workspaces); each run makes new ones.
    run = int(time.time())

    def tenant(name: str) -> tuple[Any, Any]:
        user = accounts.user_signup(email=f"{name}-{run}{EMAIL_DOMAIN}", password=None, name=name)
        membership = Membership.objects.get(user=user)
        # Enterprise's request rate so the runs are not throttled.
        membership.workspace.tier = Tier.objects.get(name="enterprise")
        membership.workspace.save(update_fields=["tier"])
        _, key = accounts.api_key_create(actor=membership, name="bench")
        return membership.workspace, Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    for i in range(args.others):
        seed(tenant(f"other{i}")[0], 5_000, run, favorites=FAVORITES)
    sizes = (args.small, args.large)
    tenants = [tenant(f"size{size}") for size in sizes]
    for (workspace, _), size in zip(tenants, sizes, strict=True):
        seed(workspace, size, run, favorites=FAVORITES)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE gallery_asset")
        cursor.execute("SELECT count(*) FROM gallery_asset")
        total = cursor.fetchone()[0]
    print(f"gallery_asset: {total:,} rows; seeded in {time.perf_counter() - started:.1f} s")

    rows: list[tuple[str, int, float, float, int]] = []
    plans: dict[str, str] = {}
    for label, query, deep in VARIANTS:
        targets = []
        for workspace, client in tenants:
            if deep:
                url, _ = deep_url(client, workspace, query)
            else:
                url = "/api/v1/gallery" + ("?" + urlencode(query) if query else "")
            targets.append((client, url))
        for size, (timings, count, captured) in zip(
            sizes, measure(targets, args.repeat), strict=True
        ):
            p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
            rows.append((label, size, statistics.median(timings), p99, count))
            if args.explain and size == args.large:
                sql = next(q["sql"] for q in captured if '"gallery_asset"' in q["sql"])
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plans[label] = "\n".join(r[0] for r in cursor.fetchall())

    print(f"\nGET /api/v1/gallery, {args.repeat} requests per row after 3 warm-ups, sizes in turn")
    print(f"{'rows':44} {'assets':>8} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8}")
    for label, size, p50, p99, count in rows:
        print(f"{label:44} {size:>8,} {p50:8.1f} {p99:8.1f} {count:>8}")
    print(f"\n{f'{args.large:,} / {args.small:,}':44} {'p50':>8} {'p99':>8} {'queries':>8}")
    for label, *_ in VARIANTS:
        small, large = (r for r in rows if r[0] == label)
        print(
            f"{label:44} {large[2] / small[2]:7.2f}x {large[3] / small[3]:7.2f}x "
            f"{small[4]:>3} -> {large[4]}"
        )
    for label, plan in plans.items():
        print(f"\n--- {label} ({args.large:,} assets) ---\n{plan}")

    bench_assets._raw_delete(bench_assets.db)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
