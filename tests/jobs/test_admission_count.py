"""Admission's count of a workspace's jobs in flight (apps/jobs/admission.py): what it
counts, and on PostgreSQL that the plan prepared once for every workspace reads the
partial index of jobs in flight (job_active_idx), not the workspace's history."""

import json

import pytest
from django.db import connection

from apps.jobs.admission import _COUNT, active_jobs_count
from apps.jobs.models import ACTIVE, Job, JobStatus

pytestmark = pytest.mark.django_db


def _jobs(workspace, statuses) -> None:
    Job.objects.bulk_create(
        Job(
            workspace=workspace,
            method="text-to-video",
            model="local/text-to-video",
            provider="local",
            prompt=f"job {i}",
            status=status,
        )
        for i, status in enumerate(statuses)
    )


def test_counts_the_jobs_in_flight_up_to_the_limit(alice, charlie):
    ended = [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.REJECTED]
    _jobs(alice.workspace, [*sorted(ACTIVE), *ended * 3])
    _jobs(charlie.workspace, [JobStatus.QUEUED] * 5)  # another workspace's

    assert active_jobs_count(workspace=alice.workspace, limit=100) == len(ACTIVE)
    assert active_jobs_count(workspace=alice.workspace, limit=2) == 2
    assert active_jobs_count(workspace=charlie.workspace, limit=100) == 5


def test_the_index_condition_is_the_counted_statuses():
    index = next(i for i in Job._meta.indexes if i.name == "job_active_idx")
    assert dict(index.condition.children) == {"status__in": sorted(ACTIVE)}
    for status in ACTIVE:
        assert f"'{status}'" in _COUNT


@pytest.mark.postgres
def test_the_prepared_count_reads_only_the_jobs_in_flight(alice):
    """The plan PostgreSQL keeps for the statement (a generic one, as a prepared
    statement gets after its fifth run) scans job_active_idx, with a workspace's
    thousand ended jobs and fresh statistics that would make its (workspace, status) or
    usage index look as good."""
    _jobs(alice.workspace, [JobStatus.CANCELLED] * 1000 + [JobStatus.QUEUED] * 3)
    sql = _COUNT.replace("%s", "$1", 1).replace("%s", "$2", 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jobs_job")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE admission_count(bigint, bigint) AS {sql}")
        try:
            cursor.execute(
                "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE admission_count(%s, 1000000)",
                [alice.workspace.pk],
            )
            plan = cursor.fetchone()[0]
            cursor.execute("EXECUTE admission_count(%s, 1000000)", [alice.workspace.pk])
            assert cursor.fetchone()[0] == 3
        finally:
            cursor.execute("DEALLOCATE admission_count")
    plan = plan if isinstance(plan, list) else json.loads(plan)
    scans = []

    def walk(node):
        if "Index Name" in node or "Relation Name" in node:
            scans.append((node["Node Type"], node.get("Index Name")))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    assert scans == [("Index Only Scan", "job_active_idx")]
