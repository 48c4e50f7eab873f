"""GET /api/v1/usage: groups, figures, CSV, validation, roles and tenancy."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection

from apps.accounts.models import ApiKey
from apps.jobs.usage import percentile
from tests.jobs.usagedata import at, make_job

pytestmark = pytest.mark.django_db

TODAY = dt.datetime.now(dt.UTC).date()
D1 = TODAY - dt.timedelta(days=3)
D2 = TODAY - dt.timedelta(days=1)


@pytest.fixture
def jobs(alice):
    """Alice's workspace: four jobs on D1, two on D2, one long ago (outside 30 days)."""
    ws = alice.workspace
    key = ApiKey.objects.get(workspace=ws, created_by=alice.user)
    make_job(ws, created=at(D1, 9), charged=10, seconds=5, took_s=20, api_key=key)
    make_job(ws, created=at(D1, 10), charged=30, seconds=8, took_s=40, model="fal/kling")
    make_job(ws, created=at(D1, 11), status="failed", took_s=5, model="fal/kling")
    make_job(ws, created=at(D1, 12), status="cancelled", took_s=2)
    make_job(ws, created=at(D2, 23), charged=7, seconds=1.5, took_s=100, api_key=key)
    make_job(ws, created=at(D2, 8), status="running", method="upscale")
    make_job(ws, created=at(TODAY - dt.timedelta(days=90)), charged=999, took_s=1)
    return key


def get(api, **params):
    return api.get("/api/v1/usage", params)


def test_by_day_lists_every_day_of_the_default_30_day_range(alice_api, jobs):
    response = get(alice_api)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["to"] == TODAY.isoformat()
    assert body["from"] == (TODAY - dt.timedelta(days=29)).isoformat()
    assert body["group_by"] == "day"
    assert [r["key"] for r in body["rows"]] == [
        (TODAY - dt.timedelta(days=29 - i)).isoformat() for i in range(30)
    ]
    rows = {r["key"]: r for r in body["rows"]}
    first = rows[D1.isoformat()]
    assert first["jobs"] == {
        "total": 4,
        "queued": 0,
        "review": 0,
        "running": 0,
        "delivering": 0,
        "completed": 2,
        "failed": 1,
        "cancelled": 1,
        "rejected": 0,
    }
    assert first["success_rate"] == round(2 / 3, 4)
    assert first["credits_spent"] == 40
    assert first["output_seconds"] == 13
    # Completed jobs only: 20 s and 40 s.
    assert first["turnaround_p50_s"] == 30
    assert first["turnaround_p95_s"] == 39
    second = rows[D2.isoformat()]
    assert second["jobs"]["total"] == 2 and second["jobs"]["running"] == 1
    assert second["success_rate"] == 1.0
    assert second["turnaround_p50_s"] == 100
    empty = rows[(TODAY - dt.timedelta(days=10)).isoformat()]
    assert empty["jobs"]["total"] == 0 and empty["credits_spent"] == 0
    assert empty["success_rate"] is None and empty["turnaround_p50_s"] is None
    totals = body["totals"]
    assert totals["jobs"]["total"] == 6
    assert totals["credits_spent"] == 47  # not the 999 of the job 90 days ago
    assert totals["turnaround_p50_s"] == 40  # of 20, 40, 100
    assert totals["turnaround_p95_s"] == percentile([20, 40, 100], 0.95)


def test_by_model_sorts_by_spend_and_labels_each_group(alice_api, jobs):
    body = get(alice_api, group_by="model").json()
    assert [(r["key"], r["credits_spent"], r["jobs"]["total"]) for r in body["rows"]] == [
        ("fal/kling", 30, 2),
        ("local/text-to-video", 17, 4),
    ]
    assert body["rows"][0]["success_rate"] == 0.5


def test_by_method_and_by_provider(alice_api, jobs):
    rows = get(alice_api, group_by="method").json()["rows"]
    by_method = {r["key"]: r["jobs"]["total"] for r in rows}
    assert by_method == {"text-to-video": 5, "upscale": 1}
    by_provider = get(alice_api, group_by="provider").json()["rows"]
    assert [(r["key"], r["jobs"]["total"]) for r in by_provider] == [("local", 6)]


def test_by_api_key_names_the_key_and_the_dashboard(alice_api, jobs):
    rows = get(alice_api, group_by="api_key").json()["rows"]
    assert [(r["key"], r["label"], r["credits_spent"]) for r in rows] == [
        (None, "Dashboard (no API key)", 30),
        (jobs.public_id, jobs.name, 17),
    ]


def test_a_job_submitted_with_a_key_is_counted_under_that_key(alice, alice_api, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # accepted is enough; nothing needs to run
    body = {"method": "text-to-video", "model": "local/text-to-video", "prompt": "a fox"}
    assert alice_api.post("/api/v1/generate", body, format="json").status_code == 202
    rows = get(alice_api, group_by="api_key").json()["rows"]
    key = ApiKey.objects.get(workspace=alice.workspace, created_by=alice.user)
    assert [(r["key"], r["jobs"]["queued"]) for r in rows] == [(key.public_id, 1)]


def test_csv_has_a_header_row_and_the_same_rows(alice_api, jobs):
    response = get(alice_api, group_by="model", format="csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0][:4] == ["model", "label", "jobs_total", "jobs_queued"]
    assert lines[0][-5:] == [
        "success_rate",
        "credits_spent",
        "output_seconds",
        "turnaround_p50_s",
        "turnaround_p95_s",
    ]
    assert len(lines) == 3
    row = dict(zip(lines[0], lines[1], strict=True))
    assert (row["model"], row["jobs_total"], row["credits_spent"]) == ("fal/kling", "2", "30")
    assert (row["success_rate"], row["turnaround_p50_s"]) == ("0.5", "40.0")


def test_csv_answers_whatever_accept_says(alice_api, jobs):
    response = alice_api.get("/api/v1/usage?format=csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_csv_cells_cannot_become_spreadsheet_formulas(alice, alice_api):
    key = ApiKey.objects.get(workspace=alice.workspace, created_by=alice.user)
    key.name = "=HYPERLINK(1)"
    key.save()
    make_job(alice.workspace, created=at(D1), api_key=key, took_s=1)
    text = get(alice_api, group_by="api_key", format="csv").content.decode()
    assert ",'=HYPERLINK(1)," in text


def test_an_error_in_a_csv_request_is_the_json_envelope(alice_api):
    response = get(alice_api, format="csv", group_by="week")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"].keys() == {"group_by"}


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"from": "2026-13-01"}, "from", "wrong format"),
        ({"to": "yesterday"}, "to", "wrong format"),
        ({"from": "2026-11-02T10:00:00"}, "from", "wrong format"),
        ({"from": "2026-11-20", "to": "2026-11-01"}, "from", "not be after"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "to", "at most 366 days"),
        ({"to": "9999-12-31"}, "to", "up to 9999-12-30"),
        ({"group_by": "week"}, "group_by", "not a valid choice"),
        ({"format": "xml"}, "format", "not a valid choice"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(alice_api, params, field, words):
    response = get(alice_api, **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert list(error["details"]["fields"]) == [field]
    assert words in error["message"]


def test_a_parameter_given_twice_is_400(alice_api):
    response = alice_api.get("/api/v1/usage?group_by=day&group_by=model")
    assert response.status_code == 400


def test_the_range_limit_is_a_setting(alice_api, settings):
    settings.USAGE_MAX_RANGE_DAYS = 7
    response = get(alice_api, **{"from": "2026-11-01", "to": "2026-11-08"})
    assert response.status_code == 400
    assert "8 days; at most 7" in response.json()["error"]["message"]
    assert get(alice_api, **{"from": "2026-11-01", "to": "2026-11-07"}).status_code == 200


def test_from_alone_runs_to_today_and_a_future_from_to_itself(alice_api):
    start = TODAY - dt.timedelta(days=4)
    body = get(alice_api, **{"from": start.isoformat()}).json()
    assert (body["from"], body["to"], len(body["rows"])) == (
        start.isoformat(),
        TODAY.isoformat(),
        5,
    )
    future = TODAY + dt.timedelta(days=3)
    body = get(alice_api, **{"from": future.isoformat()}).json()
    assert body["from"] == body["to"] == future.isoformat()


def test_a_member_may_read_usage(bob_api, jobs):
    assert get(bob_api).status_code == 200


def test_without_credentials_it_is_401(anon_api):
    response = get(anon_api)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AUTHENTICATION_FAILED"


def test_writing_methods_are_405(alice_api):
    assert alice_api.post("/api/v1/usage", {}, format="json").status_code == 405


@pytest.mark.isolation("api:usage")
def test_another_workspace_sees_none_of_it(charlie_api, charlie, jobs):
    body = get(charlie_api, group_by="model").json()
    assert body["rows"] == []
    assert body["totals"]["jobs"]["total"] == 0
    by_key = get(charlie_api, group_by="api_key").json()["rows"]
    assert by_key == []


def test_percentile_matches_postgresql_interpolation():
    assert percentile([], 0.5) is None
    assert percentile([7], 0.95) == 7
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([10, 20, 30, 40, 50], 0.95) == 48
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY x) "
                "FROM unnest(ARRAY[3, 1, 9, 27, 4]) AS x"
            )
            assert round(cursor.fetchone()[0], 3) == percentile([3, 1, 9, 27, 4], 0.95)
