"""Publishing is screened, reports open or join a case, and enough reports hide an asset
from the public feed until a moderator decides."""

import pytest
from django.conf import settings

from apps.gallery.models import Asset, AssetReport
from apps.gallery.services import asset_create_from_file
from apps.moderation.models import ModerationCase
from tests.conftest import _actor
from tests.factories import UserFactory
from tests.gallery.mediafiles import make_png

pytestmark = pytest.mark.django_db

GALLERY = "/api/v1/gallery"


@pytest.fixture
def png(tmp_path):
    return make_png(tmp_path / "still.png")


def make_asset(actor, png, title="Sunrise over the bay") -> Asset:
    return asset_create_from_file(
        workspace=actor.workspace, owner=actor.user, path=png, title=title, saved=True
    )


def publish(actor, asset, **extra):
    return actor.api.patch(
        f"{GALLERY}/{asset.public_id}", {"visibility": "public", **extra}, format="json"
    )


def public_ids(api) -> list[str]:
    return [item["id"] for item in api.get(f"{GALLERY}/public").json()["results"]]


def test_a_clean_asset_made_public_is_approved_and_shown(alice, charlie, png):
    asset = make_asset(alice, png)
    assert public_ids(charlie.api) == []
    response = publish(alice, asset)
    assert response.status_code == 200, response.json()
    assert response.json()["moderation_state"] == "approved"
    assert public_ids(charlie.api) == [asset.public_id]
    assert not ModerationCase.objects.exists()


def test_a_doubtful_asset_waits_for_a_moderator(alice, charlie, staff, png):
    asset = make_asset(alice, png, title="D3capitation scene")
    assert publish(alice, asset).json()["moderation_state"] == "pending"
    assert public_ids(charlie.api) == []
    case = ModerationCase.objects.get(subject_id=asset.public_id)
    assert (case.subject_type, case.origin, case.workspace) == (
        "asset",
        "visibility",
        alice.workspace,
    )
    assert case.media_key == asset.storage_key
    staff.api.post(f"/api/v1/moderation/cases/{case.public_id}/approve", {}, format="json")
    assert public_ids(charlie.api) == [asset.public_id]


def test_a_blocked_asset_is_rejected_with_a_case_the_owner_can_appeal(alice, png):
    asset = make_asset(alice, png, title="child p0rn")
    assert publish(alice, asset).json()["moderation_state"] == "rejected"
    case = ModerationCase.objects.get(subject_id=asset.public_id)
    assert (case.state, case.decided_by) == ("rejected", None)
    assert "sexual_minors" in case.reason
    # Toggling visibility does not launder a rejection.
    alice.api.patch(f"{GALLERY}/{asset.public_id}", {"visibility": "private"}, format="json")
    assert publish(alice, asset).json()["moderation_state"] == "rejected"


def test_a_retitled_public_asset_is_screened_again(alice, png):
    asset = make_asset(alice, png)
    publish(alice, asset)
    response = alice.api.patch(
        f"{GALLERY}/{asset.public_id}", {"title": "s u i c i d e"}, format="json"
    )
    assert response.json()["moderation_state"] == "pending"


def reporter(n: int):
    user = UserFactory(email=f"reporter{n}@example.com")
    return _actor(user, user.memberships.get().workspace)


@pytest.mark.isolation("api:gallery-report")
def test_reports_join_one_case_and_the_threshold_hides_the_asset(alice, charlie, staff, png):
    assert settings.MODERATION_REPORT_THRESHOLD == 3
    asset = make_asset(alice, png)
    publish(alice, asset)
    url = f"{GALLERY}/{asset.public_id}/report"
    people = [charlie, reporter(1), reporter(2)]
    for n, person in enumerate(people[:2], start=1):
        assert person.api.post(url, {"reason": f"spam {n}"}, format="json").status_code == 201
        assert public_ids(charlie.api) == [asset.public_id]  # still shown below the threshold
    # A repeat report by the same person does not count twice.
    charlie.api.post(url, {"reason": "again"}, format="json")
    case = ModerationCase.objects.get(subject_id=asset.public_id)
    assert (case.subject_type, case.report_count) == ("report", 2)
    assert people[2].api.post(url, {"reason": "spam 3"}, format="json").status_code == 201
    case.refresh_from_db()
    assert case.report_count == 3
    assert public_ids(charlie.api) == []  # hidden until reviewed
    assert list(case.actions.values_list("action", flat=True)) == [
        "open",
        "report",
        "report",
        "report",
        "hide",
    ]
    detail = staff.api.get(f"/api/v1/moderation/cases/{case.public_id}").json()
    assert [r["reason"] for r in detail["reports"]] == ["spam 1", "spam 2", "spam 3"]
    assert detail["media_url"].startswith("http://testserver/media-signed/")
    # Approval puts it back and dismisses the reports.
    staff.api.post(f"/api/v1/moderation/cases/{case.public_id}/approve", {}, format="json")
    assert public_ids(charlie.api) == [asset.public_id]
    assert set(AssetReport.objects.values_list("state", flat=True)) == {"dismissed"}


def test_a_rejected_report_case_keeps_the_asset_out_of_the_feed(alice, charlie, staff, png):
    asset = make_asset(alice, png)
    publish(alice, asset)
    charlie.api.post(f"{GALLERY}/{asset.public_id}/report", {"reason": "gross"}, format="json")
    case = ModerationCase.objects.get(subject_id=asset.public_id)
    staff.api.post(
        f"/api/v1/moderation/cases/{case.public_id}/reject", {"reason": "Gross."}, format="json"
    )
    assert public_ids(charlie.api) == []
    asset.refresh_from_db()
    assert asset.moderation_state == "rejected"
    assert AssetReport.objects.get().state == "resolved"


@pytest.mark.isolation("api:gallery-report", "api:gallery-detail")
def test_charlie_can_neither_report_nor_see_alices_private_asset(alice, charlie, png):
    asset = make_asset(alice, png)
    for response in (
        charlie.api.post(f"{GALLERY}/{asset.public_id}/report", {"reason": "x"}, format="json"),
        charlie.api.get(f"{GALLERY}/{asset.public_id}"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert not ModerationCase.objects.exists()
    assert asset.public_id not in public_ids(charlie.api)
