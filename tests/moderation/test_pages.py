"""The staff queue page: figures, cases with their media, one-click decisions."""

import pytest
from django.test import Client

from apps.gallery.services import asset_create_from_file, asset_update
from apps.moderation.models import ModerationCase
from tests.gallery.mediafiles import make_png

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_see_the_queue_and_decide_in_one_click(alice, charlie, staff, tmp_path):
    asset = asset_create_from_file(
        workspace=alice.workspace,
        path=make_png(tmp_path / "a.png"),
        title="g0re scene",
        saved=True,
    )
    asset_update(asset=asset, visibility="public")
    case = ModerationCase.objects.get(subject_id=asset.public_id)
    page = browser(staff.user).get("/moderation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert case.public_id in html and "g0re scene" in html
    assert "Queue depth" in html and "/media-signed/" in html
    assert 'href="/moderation/"' in html  # the staff nav link

    response = browser(staff.user).post(
        f"/moderation/{case.public_id}/decide/", {"action": "reject", "reason": "Gore."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.reason, case.decided_by) == ("rejected", "Gore.", staff.user)

    for user in (alice.user, charlie.user):
        assert browser(user).get("/moderation/").status_code == 403
        assert browser(user).post(f"/moderation/{case.public_id}/decide/", {}).status_code == 403
        assert 'href="/moderation/"' not in browser(user).get("/gallery/").content.decode()


def test_the_queue_page_costs_the_same_queries_for_one_case_or_five(alice, staff, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def public_asset(n: int) -> None:
        asset = asset_create_from_file(
            workspace=alice.workspace,
            path=make_png(tmp_path / f"{n}.png"),
            title="g0re scene",
            saved=True,
        )
        asset_update(asset=asset, visibility="public")
        asset.reports.create(workspace=alice.workspace, reporter=alice.user, reason="gore")

    client = browser(staff.user)
    public_asset(0)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/moderation/").status_code == 200
    for n in range(1, 5):
        public_asset(n)
    with CaptureQueriesContext(connection) as five:
        html = client.get("/moderation/").content.decode()
    assert html.count("· gore <span") == 5  # every case shows its report
    assert ModerationCase.objects.count() == 5
    assert len(five.captured_queries) == len(one.captured_queries)
