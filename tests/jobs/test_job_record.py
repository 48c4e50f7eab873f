"""The status read served from the job's versioned record (apps/jobs/jobrecord.py,
apps/core/vrecord.py): a warm poll reads no table and answers the same bytes; no write to
a job, by any path, is followed by a read of the record filled before it; a write under
way or racing a fill leaves nothing current behind; a record is only ever read by its own
workspace's keys."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from apps.core import vrecord
from apps.gallery.models import Asset
from apps.jobs import jobrecord
from apps.jobs.api.serializers import JobSerializer
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_progress, job_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _records_live_in_redis(request):
    if "pins" not in request.node.name and not isinstance(caches["default"], RedisCache):
        pytest.skip("the records live in Redis")


def new_job(workspace, **fields) -> Job:
    return Job.objects.create(
        workspace=workspace,
        method="text-to-video",
        model="local/text-to-video",
        provider="local",
        prompt="A red fox at dawn",
        params={"duration": 1},
        credits_estimated=3,
        credits_held=3,
        **fields,
    )


def get(actor, job):
    return actor.api.get(f"/api/v1/tasks/{job.public_id}")


def warm(actor, job) -> bytes:
    """The first read fills the record; the second is served from it, with no query."""
    first = get(actor, job)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        second = get(actor, job)
    assert second.status_code == 200
    assert [q["sql"] for q in queries] == []
    assert second.content == first.content
    return second.content


def served_from_record(actor, job) -> bool:
    with CaptureQueriesContext(connection) as queries:
        assert get(actor, job).status_code == 200
    return not queries


def serializer_bytes(job: Job) -> bytes:
    job.refresh_from_db()
    return JSONRenderer().render(JobSerializer(job).data)


def record_of(job: Job) -> bytes | None:
    key = jobrecord.record_key(job.workspace_id, job.public_id)
    assert key is not None
    found = vrecord._client().eval(
        "local rec = redis.call('GET', KEYS[1])\n" + vrecord.CHECK_LUA + "\nreturn body", 1, key
    )
    return found or None


def test_a_warm_poll_reads_no_table_and_answers_the_serializers_bytes(alice):
    job = new_job(alice.workspace)
    body = warm(alice, job)
    assert body == serializer_bytes(job)
    assert record_of(job) == body


def test_another_workspaces_key_never_reads_the_record(alice, charlie):
    job = new_job(alice.workspace)
    warm(alice, job)
    foreign = get(charlie, job)
    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "NOT_FOUND"


def _transition(job):
    job_transition(job_id=job.pk, from_={JobStatus.QUEUED}, to=JobStatus.RUNNING, stage="Go")


def _progress(job):
    job_transition(job_id=job.pk, from_={JobStatus.QUEUED}, to=JobStatus.RUNNING)
    assert job_progress(job_id=job.pk, progress=40, stage="Rendering")


def _save(job):
    job.stage = "Saved directly"
    job.save()


def _unpinned_update(job):
    Job.objects.filter(workspace=job.workspace).update(stage="Every job of the workspace")


def _pinned_in_update(job):
    Job.objects.filter(pk__in=[job.pk, -1]).update(stage="By a list of ids")


def _bulk_update(job):
    job.stage = "Bulk"
    Job.objects.bulk_update([job], ["stage"])


WRITES = {
    "transition": _transition,
    "progress": _progress,
    "save": _save,
    "update by workspace": _unpinned_update,
    "update by ids": _pinned_in_update,
    "bulk_update": _bulk_update,
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_shows_on_the_next_read_and_the_read_after_is_warm_again(
    alice, write, django_capture_on_commit_callbacks
):
    job = new_job(alice.workspace)
    before = warm(alice, job)
    with django_capture_on_commit_callbacks(execute=True):
        WRITES[write](job)
    after = get(alice, job)
    assert after.content != before
    assert after.content == serializer_bytes(job)
    assert served_from_record(alice, job)  # refilled after the write settled
    assert get(alice, job).content == after.content


@pytest.mark.parametrize("write", list(WRITES))
def test_a_write_not_yet_settled_leaves_the_read_on_the_database(alice, write):
    # Inside the test's transaction the write never commits, so it never settles: every
    # read goes to the database (and sees the write), none is served from a record.
    job = new_job(alice.workspace)
    warm(alice, job)
    WRITES[write](job)
    response = get(alice, job)
    assert response.content == serializer_bytes(job)
    assert not served_from_record(alice, job)
    assert record_of(job) is None


@pytest.mark.parametrize("how", ["instance", "queryset"])
def test_a_deleted_job_is_not_found_on_the_next_read(alice, how):
    job = new_job(alice.workspace)
    warm(alice, job)
    if how == "instance":
        job.delete()
    else:
        Job.objects.filter(pk=job.pk).delete()
    assert get(alice, job).status_code == 404


def test_a_write_that_commits_between_a_fills_read_and_its_store_kills_the_record(
    alice, monkeypatch, django_capture_on_commit_callbacks
):
    job = new_job(alice.workspace)
    store = vrecord.store

    def racing_store(*args, **kwargs):
        # The fill has read its versions and the (old) row; a write commits now.
        with django_capture_on_commit_callbacks(execute=True):
            Job.objects.filter(pk=job.pk).update(stage="Written during the fill")
        store(*args, **kwargs)

    monkeypatch.setattr(vrecord, "store", racing_store)
    assert b"Written during the fill" not in get(alice, job).content  # read before it
    monkeypatch.setattr(vrecord, "store", store)
    assert record_of(job) is None  # stored, but stale: never read
    assert b"Written during the fill" in get(alice, job).content


def test_a_fill_while_a_write_is_under_way_stores_nothing(alice):
    job = new_job(alice.workspace)
    with jobrecord.changing([job.pk]):
        assert get(alice, job).status_code == 200
        assert record_of(job) is None
        assert vrecord.versions_read(jobrecord.record_names(job.pk)) is None


@pytest.mark.parametrize("settles_first", ["first", "second"])
def test_no_fill_while_either_of_two_overlapping_writes_is_under_way(
    alice, settles_first, django_capture_on_commit_callbacks
):
    job = new_job(alice.workspace)
    names = jobrecord.record_names(job.pk)
    writes = {"first": jobrecord.changing([job.pk]), "second": jobrecord.changing([job.pk])}
    writes["first"].__enter__()
    writes["second"].__enter__()
    other = "second" if settles_first == "first" else "first"
    with django_capture_on_commit_callbacks(execute=True):
        writes[settles_first].__exit__(None, None, None)  # commits and settles
    assert vrecord.versions_read(names) is None  # the other is still under way
    with django_capture_on_commit_callbacks(execute=True):
        writes[other].__exit__(None, None, None)
    assert vrecord.versions_read(names) is not None


def test_a_job_with_a_result_asset_is_never_kept(alice):
    asset = Asset.objects.create(
        workspace=alice.workspace, status="ready", kind="video", storage_key="k/video.mp4"
    )
    job = new_job(alice.workspace, status=JobStatus.COMPLETED, result_asset=asset)
    for _ in range(2):
        assert get(alice, job).status_code == 200
    assert record_of(job) is None
    assert not served_from_record(alice, job)


def test_migrate_kills_every_record(alice):
    job = new_job(alice.workspace)
    warm(alice, job)
    jobrecord.migrated(sender=None)
    assert record_of(job) is None


def test_an_indented_rendering_is_drfs(alice):
    job = new_job(alice.workspace)
    warm(alice, job)
    response = alice.api.get(
        f"/api/v1/tasks/{job.public_id}", HTTP_ACCEPT="application/json; indent=2"
    )
    assert response.status_code == 200
    assert response.content == JSONRenderer().render(
        JobSerializer(Job.objects.get(pk=job.pk)).data, "application/json; indent=2"
    )
    assert b'\n  "id"' in response.content


def test_a_session_read_fills_and_is_never_served_the_record_of_its_key(alice, client):
    job = new_job(alice.workspace)
    client.force_login(alice.user)
    first = client.get(f"/api/v1/tasks/{job.public_id}")
    assert first.status_code == 200
    assert first.content == serializer_bytes(job)
    assert record_of(job) == first.content  # a key's next poll can use it


@pytest.mark.parametrize(
    ("build", "pinned"),
    [
        (lambda: Job.objects.filter(pk=7), [7]),
        (lambda: Job.objects.filter(pk=7, status="running"), [7]),
        (lambda: Job.objects.filter(pk__in=[3, 4]), [3, 4]),
        (lambda: Job.objects.filter(status="running"), None),
        (lambda: Job.objects.exclude(pk=7), None),
        (lambda: Job.objects.filter(pk__gt=7), None),
        (lambda: Job.objects.filter(workspace_id=7), None),
        (lambda: Job.objects.filter(remixed_from=7), None),
        (lambda: Job.objects.filter(pk=7) | Job.objects.filter(pk=8), None),
        (lambda: Job.objects.all(), None),
    ],
)
def test_a_queryset_pins_only_the_ids_its_filter_restricts_it_to(build, pinned):
    assert jobrecord.pinned_pks(build()) == pinned
