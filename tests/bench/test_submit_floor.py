"""The submit's floors (bench/benchurls.py, measured by bench/submit_floor.py) must do
what docs/performance.md says they do, and nothing more: the accept floor the real
pipelined acceptance in its three database round trips, a 1-credit hold and a start; the
insert floor one statement, no hold. A floor that made an extra query (it once read the
job's workspace back) would bound the submit too low."""

import pytest

from apps.billing.models import CreditAccount, CreditHold
from apps.catalog.services import model_override_set
from apps.jobs.models import Job, JobEvent, JobStatus
from tests.jobs.conftest import fund
from tests.jobs.test_accept_pipelined import round_trips
from tests.jobs.test_submit_cost import _tier

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("bench.benchurls"),
]


@pytest.fixture
def started(monkeypatch) -> list[int]:
    """The jobs whose start was sent (apps/jobs/submit.py's enqueue after commit)."""
    from apps.jobs import submit as submitting

    sent: list[int] = []
    monkeypatch.setattr(submitting, "enqueue", lambda task, job_id, **_: sent.append(job_id))
    return sent


@pytest.fixture
def warm(alice, started):
    """Priced as the bench prices it, funded, no concurrency limit in the way, and the
    floors' template job (one real submit) made by a first call."""
    model_override_set(model_id="local/text-to-video", price_credits=1)
    fund(alice.workspace, 100)
    _tier(alice.workspace, max_concurrent_jobs=100)  # the bench lifts it too
    # The insert floor first: its template, a real submit, is the key's first spend this
    # month, which only the step-by-step path records.
    for path in ("/api/bench/insert-floor", "/api/bench/accept-floor"):
        assert alice.api.post(path, {}, format="json").status_code == 202
    return alice


def _post(alice, path: str):
    answers = []
    trips = round_trips(lambda: answers.append(alice.api.post(path, {}, format="json")))
    assert answers[0].status_code == 202, answers[0].content
    return Job.objects.get(public_id=answers[0].json()["id"]), trips


def test_the_accept_floor_is_the_pipelined_acceptance_and_nothing_else(warm, started):
    held_before = CreditAccount.objects.get(workspace=warm.workspace).held
    job, trips = _post(warm, "/api/bench/accept-floor")
    assert trips == 3  # BEGIN; lock, count, hold, budget, job and event; COMMIT
    assert job.status == JobStatus.QUEUED and job.credits_held == 1
    assert CreditHold.objects.get(pk=job.hold_id).reference == job.public_id
    assert CreditAccount.objects.get(workspace=warm.workspace).held == held_before + 1
    assert JobEvent.objects.get(job=job).message == "Accepted"
    assert started[-1] == job.pk  # its start was published after the commit


def test_the_insert_floor_is_one_statement_and_holds_nothing(warm, started):
    held_before = CreditAccount.objects.get(workspace=warm.workspace).held
    published = len(started)
    job, trips = _post(warm, "/api/bench/insert-floor")
    assert trips == 1
    assert job.status == JobStatus.QUEUED and job.hold_id is None
    assert JobEvent.objects.filter(job=job).count() == 1
    assert CreditAccount.objects.get(workspace=warm.workspace).held == held_before
    assert len(started) == published
