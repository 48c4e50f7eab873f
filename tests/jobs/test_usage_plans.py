"""The usage report's queries on 100k jobs use the covering index, never a sequential scan
of the jobs table (the plans are printed: run with -s to read them; bench/usage.py times
the endpoint on the same data)."""

import datetime as dt
import re

import pytest
from django.db import connection

from apps.accounts.models import ApiKey
from apps.jobs.models import Job
from apps.jobs.usage import GROUPS
from tests.factories import UserFactory
from tests.jobs.usagedata import bulk_jobs, usage_plans

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

INDEX_READ = re.compile(
    r"(Index Only Scan|Index Scan) using \w+ on jobs_job|Bitmap Heap Scan on jobs_job"
)

TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture
def hundred_thousand_jobs(alice):
    """60k jobs of alice's workspace over a year, 40k of twenty other workspaces."""
    keys = list(ApiKey.objects.filter(workspace=alice.workspace))
    others = [
        UserFactory(email=f"tenant{i}@example.com").memberships.get().workspace for i in range(20)
    ]
    bulk_jobs([(alice.workspace, 60_000, keys), *((w, 2_000, []) for w in others)], days=365)
    with connection.cursor() as cursor:
        # What autovacuum does to a table that grew: statistics and the visibility map
        # (which lets an index-only scan skip the table).
        cursor.execute("VACUUM ANALYZE jobs_job")
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'jobs_job'")
        print("\njobs_job pages, all-visible pages:", cursor.fetchone())
    assert Job.objects.count() == 100_000
    return alice.workspace


def test_usage_queries_on_100k_jobs_read_the_usage_index(hundred_thousand_jobs):
    # The default range, and the longest one allowed (60 % of the table is this tenant's).
    for days in (30, 366):
        start = TODAY - dt.timedelta(days=days - 1)
        for group_by in GROUPS:
            plans = usage_plans(
                workspace=hundred_thousand_jobs, start=start, end=TODAY, group_by=group_by
            )
            assert len(plans) == 2  # the groups and the totals
            for sql, plan in plans:
                print(f"\n--- group_by={group_by}, {days} days\n{sql}\n{plan}")
                assert "Seq Scan on jobs_job" not in plan, plan
                # Which index wins is the planner's call (the covering job_usage_idx, or
                # created_at's when the heap is in time order and the visibility map is
                # not yet set); reading the table through one is what matters.
                assert INDEX_READ.search(plan), plan
                if days == 30:  # the default report reads the covering index alone
                    assert "Index Only Scan using job_usage_idx on jobs_job" in plan, plan
