"""The staff-only queue API, the owner's appeal and the figures."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.services import user_signup
from apps.core.errors import Conflict
from apps.jobs.services import job_submit
from apps.moderation import services
from apps.moderation.models import ModerationCase
from apps.moderation.screening import Verdict
from tests.jobs.conftest import TEXT_JOB

pytestmark = pytest.mark.django_db

CASES = "/api/v1/moderation/cases"


def open_case(actor, prompt="a gory duel", categories=("violence_graphic",)) -> ModerationCase:
    """A job waiting in review (accepted, never started: no on_commit in these tests)."""
    job, _ = job_submit(
        workspace=actor.workspace, user=actor.user, data={**TEXT_JOB, "prompt": prompt}
    )
    assert job.status == "review"
    case = ModerationCase.objects.get(subject_id=job.public_id)
    assert case.categories == list(categories)
    return case


@pytest.mark.isolation(
    "api:moderation-cases",
    "api:moderation-case-detail",
    "api:moderation-case-claim",
    "api:moderation-case-approve",
    "api:moderation-case-reject",
    "api:moderation-stats",
)
def test_only_staff_reach_the_queue_whatever_their_workspace_role(alice, bob, charlie):
    case = open_case(alice)
    base = f"{CASES}/{case.public_id}"
    for actor in (alice, bob, charlie):  # an owner, a member, another tenant
        for response in (
            actor.api.get(CASES),
            actor.api.get(base),
            actor.api.post(f"{base}/claim"),
            actor.api.post(f"{base}/approve", {}, format="json"),
            actor.api.post(f"{base}/reject", {"reason": "no"}, format="json"),
            actor.api.get("/api/v1/moderation/stats"),
        ):
            assert response.status_code == 403, response.json()
            body = response.json()
            assert body["error"]["code"] == "PERMISSION_DENIED"
            assert case.public_id not in str(body) and "gory" not in str(body)
    case.refresh_from_db()
    assert (case.state, case.assignee) == ("open", None)


def test_the_queue_lists_filters_and_pages_oldest_first(alice, charlie, staff):
    first = open_case(alice, "a g0re fest")
    second = open_case(charlie, "suicide note", categories=("self_harm",))
    listing = staff.api.get(CASES).json()
    assert [c["id"] for c in listing["results"]] == [first.public_id, second.public_id]
    assert listing["results"][1]["workspace"] == charlie.workspace.public_id
    assert listing["results"][1]["priority"] > listing["results"][0]["priority"]
    page = staff.api.get(CASES, {"limit": 1}).json()
    assert [c["id"] for c in page["results"]] == [first.public_id]
    nxt = staff.api.get(page["next"]).json()
    assert [c["id"] for c in nxt["results"]] == [second.public_id]
    assert staff.api.get(CASES, {"state": "approved"}).json()["results"] == []
    assert (
        len(staff.api.get(CASES, {"subject_type": "job", "state": "open"}).json()["results"]) == 2
    )
    assert staff.api.get(CASES, {"subject_type": "asset"}).json()["results"] == []
    assert staff.api.get(CASES, {"state": "bogus"}).status_code == 400
    assert staff.api.get(f"{CASES}/case_doesnotexist0000").status_code == 404


def test_claiming_is_exclusive_and_recorded(alice, staff):
    case = open_case(alice)
    response = staff.api.post(f"{CASES}/{case.public_id}/claim")
    assert response.status_code == 200
    assert response.json()["assignee"] == staff.user.email
    assert staff.api.post(f"{CASES}/{case.public_id}/claim").status_code == 200  # idempotent
    rival = user_signup(email="mod2@example.com", password="pw-12345678", is_staff=True)
    with pytest.raises(Conflict):
        services.case_claim(case=case, user=rival)
    detail = staff.api.get(f"{CASES}/{case.public_id}").json()
    assert [a["action"] for a in detail["actions"]] == ["open", "claim"]
    assert detail["actions"][1]["actor"] == staff.user.email


@pytest.mark.isolation("api:moderation-appeals")
def test_the_owner_appeals_a_rejection_once(alice, bob, charlie, staff):
    case = open_case(alice)
    job_id = case.subject_id
    staff.api.post(f"{CASES}/{case.public_id}/reject", {"reason": "Too gory."}, format="json")
    url = "/api/v1/moderation/appeals"
    # Another tenant cannot even find it; a plain member may not appeal.
    for body in ({"case": case.public_id, "message": "x"}, {"job": job_id, "message": "x"}):
        response = charlie.api.post(url, body, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert bob.api.post(url, {"job": job_id, "message": "x"}, format="json").status_code == 403
    assert alice.api.post(url, {"message": "x"}, format="json").status_code == 400

    response = alice.api.post(url, {"job": job_id, "message": "It is a stage play."}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "open"
    assert response.json()["decision"] == "rejected"
    case.refresh_from_db()
    assert (case.state, case.appeal_message) == ("open", "It is a stage play.")
    assert case.actions.last().action == "appeal"

    again = alice.api.post(url, {"case": case.public_id, "message": "please"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "CONFLICT"
    # Rejected again after the appeal: there is no second appeal.
    staff.api.post(f"{CASES}/{case.public_id}/reject", {"reason": "Still no."}, format="json")
    third = alice.api.post(url, {"case": case.public_id, "message": "!"}, format="json")
    assert third.status_code == 409


def test_an_approved_case_cannot_be_appealed(alice, staff):
    case = open_case(alice)
    staff.api.post(f"{CASES}/{case.public_id}/approve", {}, format="json")
    response = alice.api.post(
        "/api/v1/moderation/appeals", {"case": case.public_id, "message": "?"}, format="json"
    )
    assert response.status_code == 409


def test_the_figures(alice, charlie, staff):
    now = timezone.now()
    assert staff.api.get("/api/v1/moderation/stats").json()["queue_depth"] == 0
    old = open_case(alice, "g o r e")
    ModerationCase.objects.filter(pk=old.pk).update(opened_at=now - dt.timedelta(hours=2))
    quick = open_case(alice, "kill")
    ModerationCase.objects.filter(pk=quick.pk).update(opened_at=now - dt.timedelta(seconds=60))
    slow = open_case(charlie, "suicide", categories=("self_harm",))  # free tier: 2 at once
    ModerationCase.objects.filter(pk=slow.pk).update(opened_at=now - dt.timedelta(seconds=300))
    services.case_decide(case=quick, user=staff.user, approve=True)
    services.case_decide(case=slow, user=staff.user, approve=False, reason="no")
    stats = staff.api.get("/api/v1/moderation/stats").json()
    assert stats["queue_depth"] == 1
    assert stats["queue_depth_by_type"] == {"job": 1, "asset": 0, "report": 0}
    assert 7190 < stats["oldest_open_age_s"] < 7300
    assert 170 < stats["median_time_to_decision_s"] < 200  # median of ~60 s and ~300 s
    assert stats["decisions"] == {"approved": 1, "rejected": 1}
    assert stats["decisions_by_category"] == {
        "self_harm": {"approved": 0, "rejected": 1},
        "violence_graphic": {"approved": 1, "rejected": 0},
    }


def test_the_verdict_reaches_the_case_even_as_a_plain_string(alice):
    job, _ = job_submit(
        workspace=alice.workspace, user=alice.user, data={**TEXT_JOB, "prompt": "x"}
    )
    case = services.case_open_for_job(
        workspace=alice.workspace, job_public_id=job.public_id, prompt="x", verdict="review"
    )
    assert (case.state, case.categories) == ("open", [])
    assert Verdict().decision == "allow"
