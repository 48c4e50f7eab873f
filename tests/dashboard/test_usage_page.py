"""The Usage page (server side) and the low-credit notice on every page."""

import datetime as dt
import html
import json

import pytest

from apps.billing.services import credits_adjust, credits_grant, low_credit_threshold_set
from tests.jobs.usagedata import at, make_job

pytestmark = pytest.mark.django_db

TODAY = dt.datetime.now(dt.UTC).date()


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\xa0", " ")


def chart_data(response) -> dict:
    body = response.content.decode()
    start = body.index('<script id="usage-data" type="application/json">') + 48
    return json.loads(body[start : body.index("</script>", start)])


def test_the_usage_page_needs_a_login(client):
    assert client.get("/usage/").status_code == 302


def test_the_usage_page_charts_the_range_by_day_and_by_model(client, alice):
    make_job(alice.workspace, created=at(TODAY), charged=12, took_s=30, model="fal/kling")
    make_job(alice.workspace, created=at(TODAY - dt.timedelta(days=2)), status="failed", took_s=3)
    client.force_login(alice.user)
    response = client.get("/usage/")
    assert response.status_code == 200
    data = chart_data(response)
    assert len(data["days"]) == 30 and data["days"][-1] == TODAY.isoformat()
    assert data["spend"][-1] == 12 and sum(data["spend"]) == 12
    assert data["status"]["failed"][-3] == 1
    assert data["success"][-1] == 1.0 and data["success"][-3] == 0.0
    assert data["models"][0] == "fal/kling" and data["model_spend"][0] == 12
    page = text(response)
    assert 'href="/usage/"' in page  # the nav link
    assert (
        f"/api/v1/usage?from={TODAY - dt.timedelta(days=29)}&to={TODAY}&group_by=day&format=csv"
        in page
    )


def test_a_chosen_range_is_used_and_a_bad_one_is_named(client, alice):
    client.force_login(alice.user)
    start = TODAY - dt.timedelta(days=6)
    data = chart_data(client.get(f"/usage/?from={start}&to={TODAY}"))
    assert len(data["days"]) == 7
    response = client.get(f"/usage/?from={TODAY}&to={start}")
    assert response.status_code == 200
    assert "`from` must not be after `to`." in text(response)
    assert len(chart_data(response)["days"]) == 30
    assert "wrong format" in text(client.get("/usage/?from=31-12-2026"))


def test_the_csv_link_downloads_with_the_session(client, alice):
    make_job(alice.workspace, created=at(TODAY), charged=5, took_s=9)
    client.force_login(alice.user)
    response = client.get("/api/v1/usage?group_by=model&format=csv")
    assert response.status_code == 200
    assert response.content.decode().splitlines()[1].startswith("local/text-to-video,")


def test_members_see_usage_and_charlie_sees_only_his_own(client, alice, bob, charlie):
    make_job(alice.workspace, created=at(TODAY), charged=12, took_s=30)
    client.force_login(bob.user)
    client.post("/workspace/switch/", {"workspace": alice.workspace.public_id})
    assert chart_data(client.get("/usage/"))["spend"][-1] == 12
    client.force_login(charlie.user)
    assert sum(chart_data(client.get("/usage/"))["spend"]) == 0


def test_the_low_credit_notice_shows_below_the_threshold_with_the_pace(client, alice):
    credits_grant(workspace=alice.workspace, credits=1000, idempotency_key="t:grant")
    client.force_login(alice.user)
    assert "Credits are running low" not in text(client.get("/"))
    make_job(alice.workspace, created=at(TODAY - dt.timedelta(days=1)), charged=140, took_s=5)
    credits_adjust(workspace=alice.workspace, credits=-950, reason="test", idempotency_key="t:adj")
    page = text(client.get("/usage/"))
    # 10 % of the last grant (1000) is the default threshold; 140 over 7 days is 20 a day.
    assert "Credits are running low:" in page
    assert "below this workspace's threshold of 100" in page
    assert "(20 a day) that lasts about" in page and "about 2 days" in page


def test_the_notice_follows_the_workspace_threshold_and_zero_turns_it_off(client, alice):
    credits_grant(workspace=alice.workspace, credits=300, idempotency_key="t:grant")
    client.force_login(alice.user)
    low_credit_threshold_set(workspace=alice.workspace, threshold=500)
    assert "threshold of 500" in text(client.get("/"))
    low_credit_threshold_set(workspace=alice.workspace, threshold=0)
    assert "Credits are running low" not in text(client.get("/"))
