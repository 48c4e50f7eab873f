"""A job's deadline is the documented margin over the time the estimate showed, so a local
job the catalogue accepts has room to finish (60 s of 1080p at 60 fps used to time out)."""

import pytest

from apps.jobs.models import Job
from tests.jobs.conftest import TEXT_JOB

pytestmark = pytest.mark.django_db(transaction=True)

BIG = {**TEXT_JOB, "duration": 60, "resolution": "1080p", "fps": 60}


def submit(api, fields) -> tuple[Job, int]:
    estimate = api.post("/api/v1/estimate-cost", fields, format="json").json()
    response = api.post("/api/v1/generate", fields, format="json")
    assert response.status_code == 202, response.json()
    job = Job.objects.get(public_id=response.json()["id"])
    return job, estimate["processing_time_estimate_s"]


def budget_s(job: Job) -> float:
    return (job.deadline_at - job.created_at).total_seconds()


def test_a_60_s_1080p_60_fps_local_job_gets_the_documented_margin_over_its_estimate(
    alice, settings, not_eager
):
    assert (settings.JOBS_DEADLINE_FACTOR, settings.JOBS_DEADLINE_FLOOR_S) == (6, 120)
    job, expected = submit(alice.api, BIG)
    # About six minutes expected; the old deadline was a flat 120 + 3 x 30 = 210 s.
    assert expected > 210
    # deadline = 6 x expected + 120 s, counted from acceptance (a second's slack for the
    # time between computing it and saving the row).
    assert budget_s(job) == pytest.approx(6 * expected + 120, abs=1)


def test_a_bigger_local_job_gets_a_later_deadline(alice, not_eager):
    small, _ = submit(alice.api, {**TEXT_JOB, "duration": 5, "resolution": "480p"})
    big, _ = submit(alice.api, BIG)
    assert budget_s(big) > 5 * budget_s(small)
