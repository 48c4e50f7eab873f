"""The job page and the jobs rail, through Django's test client: a cancelled job says
"Cancelled", the facts box and the bar say the same while a job runs, a held job says why
it waits and what happens next, and switching workspace on a job page lands on the Studio."""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from apps.accounts.services import workspace_create
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_cancel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("studio_storage")]

TEXT_JOB = {
    "method": "text-to-video",
    "model": "local/text-to-video",
    "prompt": "A red fox at dawn",
    "duration": 5,
    "resolution": "480p",
}
REVIEW_PROMPT = "A knight's g0ry duel in the rain"  # screening holds it (tests/moderation)


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\xa0", " ")


def visible(page: str) -> str:
    """The page's words, tags stripped and white space collapsed."""
    body = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


@pytest.fixture
def queued(alice, not_eager) -> Job:
    response = alice.api.post("/api/v1/generate", TEXT_JOB, format="json")
    assert response.status_code == 202, response.json()
    return Job.objects.get(public_id=response.json()["id"])


def running(job: Job, *, progress: int, stage: str, seconds_ago: int) -> Job:
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        progress=progress,
        stage=stage,
        started_at=timezone.now() - dt.timedelta(seconds=seconds_ago),
    )
    job.refresh_from_db()
    return job


def test_a_cancelled_job_page_says_cancelled_and_nothing_about_its_last_stage(
    queued, client, alice
):
    job = running(queued, progress=6, stage="Rendering the animatic", seconds_ago=3)
    job_cancel(job=job)
    client.force_login(alice.user)
    page = text(client.get(f"/jobs/{job.public_id}/"))
    words = visible(page)
    assert re.search(r'data-testid="job-facts-status">Cancelled</dd>', page)
    assert ": Cancelled at the owner's request." not in words
    assert "Rendering the animatic" not in words and "(6%)" not in words
    assert 'data-testid="job-error"' not in page
    assert "Cancelled at" in words and "credits held were released" in words


def test_the_facts_box_and_the_bar_say_the_same_while_a_job_runs(queued, client, alice):
    job = running(queued, progress=42, stage="Rendering the animatic", seconds_ago=20)
    client.force_login(alice.user)
    page = text(client.get(f"/jobs/{job.public_id}/"))
    bar = re.search(r'<p id="job-stage"[^>]*>(.*?)</p>', page).group(1)
    facts = re.search(r'data-testid="job-facts-status">(.*?)</dd>', page).group(1)
    assert bar == facts == "Rendering the animatic · 42%"
    assert 'value="42"' in page
    # Elapsed since the start, and the time left from the progress so far (20 s for 42%).
    clock = re.search(r'data-testid="job-clock">(.*?)</p>', page).group(1)
    assert clock.startswith("Elapsed 2") and "about 28 s left" in clock


def test_the_rail_lists_prompt_model_progress_elapsed_and_eta(queued, client, alice, charlie):
    job = running(queued, progress=50, stage="Rendering the animatic", seconds_ago=10)
    client.force_login(alice.user)
    rail = text(client.get("/studio/jobs/"))
    item = re.search(rf'<li class="rail-item[^"]*" data-job="{job.public_id}".*?</li>', rail, re.S)
    assert item, rail
    words = visible(item.group(0))
    assert "A red fox at dawn" in words and "Local animatic" in words
    assert 'value="50"' in item.group(0)
    assert "Rendering the animatic · 50%" in words
    assert re.search(r"1[01] s · about 1[01] s left", words), words
    assert 'data-ended="0"' in item.group(0)
    # The Studio page embeds the same rail, and charlie's rail never shows alice's job.
    assert job.public_id in text(client.get("/studio/"))
    client.force_login(charlie.user)
    assert job.public_id not in text(client.get("/studio/jobs/"))


def test_ended_jobs_stay_on_the_rail_with_their_time_and_no_eta(queued, client, alice):
    job_cancel(job=queued)
    client.force_login(alice.user)
    rail = text(client.get("/studio/jobs/"))
    item = re.search(rf'data-job="{queued.public_id}".*?</li>', rail, re.S).group(0)
    assert 'data-ended="1"' in item and "left" not in visible(item)
    assert "Cancelled" in visible(item)


def test_a_held_job_says_why_it_waits_and_what_happens_next(alice, client, not_eager):
    response = alice.api.post(
        "/api/v1/generate", {**TEXT_JOB, "prompt": REVIEW_PROMPT}, format="json"
    )
    assert response.json()["status"] == "review", response.json()
    job_id = response.json()["id"]
    client.force_login(alice.user)
    for url in ("/studio/jobs/", f"/jobs/{job_id}/"):
        note = re.search(r'data-testid="review-note">(.*?)</', text(client.get(url)), re.S)
        assert note, url
        words = note.group(1)
        assert "screening asked a person to check the prompt" in words
        assert "Approved, it runs" in words and "held credits come back" in words


def test_switching_workspace_on_a_job_page_goes_to_the_studio(queued, client, alice):
    other = workspace_create(owner=alice.user, name="Second studio")
    client.force_login(alice.user)
    response = client.post(
        "/workspace/switch/",
        {"workspace": other.public_id, "next": f"/jobs/{queued.public_id}/"},
    )
    assert response.status_code == 302 and response["Location"] == "/studio/"
    assert client.get("/studio/").status_code == 200
    # Pages that are not about one object keep their place.
    response = client.post(
        "/workspace/switch/", {"workspace": alice.workspace.public_id, "next": "/gallery/"}
    )
    assert response["Location"] == "/gallery/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/no/such/page/"])
def test_switching_workspace_never_leaves_the_site(client, alice, target):
    client.force_login(alice.user)
    response = client.post(
        "/workspace/switch/", {"workspace": alice.workspace.public_id, "next": target}
    )
    assert response.status_code == 302 and response["Location"] == "/"
