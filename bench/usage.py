"""GET /api/v1/usage at 100k jobs: latency and the query plans (issue 18's closing note).

    DATABASE_URL=postgres://…/reelsmith_bench .venv/bin/python bench/usage.py [--jobs 100000]

Uses the PostgreSQL database of DATABASE_URL (migrated first; earlier bench rows are
removed). Builds `--jobs` jobs in time order, 60 % of them one workspace's (the one
measured) and the rest spread over twenty others, a year of them, with the mix of
tests/jobs/usagedata.py; then VACUUM ANALYZE (what autovacuum does to a grown table).
Each request goes through the whole Django + DRF stack in-process (API-key auth, rate
limit, validation, the report, rendering) with Django's test client, so the figures are
server time without the network. Prints p50/p95/max per variant and the EXPLAIN
(ANALYZE, BUFFERS) of the default report's queries and of the longest range's.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the plans are PostgreSQL's).")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from apps.accounts import services as accounts
    from apps.accounts.models import Membership, Tier, Workspace
    from apps.jobs.models import Job
    from tests.jobs.usagedata import bulk_jobs, usage_plans

    call_command("migrate", verbosity=0)
    bench_jobs = Job.objects.filter(workspace__created_by__email__endswith="@usage-bench.local")
    bench_jobs.delete()
    # Earlier runs' tenants stay (the ledger keeps workspaces); each run makes new ones.
    run = int(time.time())

    def tenant(i: int) -> tuple[Workspace, Membership]:
        user = accounts.user_signup(
            email=f"t{i}-{run}@usage-bench.local", password=None, name=f"bench {i}"
        )
        membership = Membership.objects.get(user=user)
        return membership.workspace, membership

    measured, owner = tenant(0)
    # Enterprise's request rate (1200/min) so the runs are not throttled.
    measured.tier = Tier.objects.get(name="enterprise")
    measured.save(update_fields=["tier"])
    _, key = accounts.api_key_create(actor=owner, name="bench")
    others = [tenant(i)[0] for i in range(1, 21)]
    mine = int(args.jobs * 0.6)
    rest = (args.jobs - mine) // len(others)
    started = time.perf_counter()
    made = bulk_jobs(
        [(measured, mine, list(owner.workspace.api_keys.all())), *((w, rest, []) for w in others)],
        days=365,
    )
    print(f"built {made} jobs in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE jobs_job")
        cursor.execute("SELECT count(*) FROM jobs_job")
        print(f"jobs table: {cursor.fetchone()[0]} rows; measured workspace: {mine}")

    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    today = dt.datetime.now(dt.UTC).date()
    year_ago = (today - dt.timedelta(days=365)).isoformat()
    variants = [
        ("default (30 days, by day)", ""),
        ("30 days by model", "group_by=model"),
        ("30 days by api_key", "group_by=api_key"),
        ("30 days by day, CSV", "format=csv"),
        ("366 days by day", f"from={year_ago}"),
        ("366 days by model", f"from={year_ago}&group_by=model"),
        ("366 days by provider, CSV", f"from={year_ago}&group_by=provider&format=csv"),
    ]
    print(f"\nGET /api/v1/usage, {args.repeat} requests each after 2 warm-ups (ms)")
    print(f"{'variant':32} {'p50':>8} {'p95':>8} {'max':>8}")
    for name, query in variants:
        url = "/api/v1/usage" + (f"?{query}" if query else "")
        timings = []
        for i in range(args.repeat + 2):
            t0 = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, response.content[:300]
            if i >= 2:
                timings.append(elapsed)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        print(f"{name:32} {statistics.median(timings):8.1f} {p95:8.1f} {timings[-1]:8.1f}")

    for label, start, group in (
        ("default: 30 days by day", today - dt.timedelta(days=29), "day"),
        ("366 days by model", today - dt.timedelta(days=365), "model"),
    ):
        for sql, plan in usage_plans(
            workspace=measured, start=start, end=today, group_by=group, analyze=True
        ):
            kind = "groups" if "GROUP BY" in sql else "totals"
            print(f"\n--- {label} ({kind}) ---\n{plan}")

    bench_jobs.delete()


if __name__ == "__main__":
    main()
