"""Publishing is screened, reports open or join a case, and enough reports hide an asset
from the public feed until a moderator decides."""

import pytest
from django.conf import settings
from django.test import Client

from apps.gallery.api.serializers import GalleryPublicAssetSerializer
from apps.gallery.models import Asset, AssetReport
from apps.gallery.selectors import assets_public
from apps.gallery.services import asset_create_from_file
from apps.gallery.signals import asset_visibility_requested
from apps.moderation.models import ModerationCase
from apps.moderation.receivers import on_asset_visibility_requested
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


def test_tags_with_a_blocked_term_on_a_public_approved_asset_leave_the_public_feed(
    alice, charlie, png
):
    # The exact bypass: PATCH only the tags of an asset already public and approved.
    asset = make_asset(alice, png)
    assert publish(alice, asset).json()["moderation_state"] == "approved"
    assert public_ids(charlie.api) == [asset.public_id]
    response = alice.api.patch(
        f"{GALLERY}/{asset.public_id}", {"tags": ["sunset", "child p0rn"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["moderation_state"] == "rejected"
    assert public_ids(charlie.api) == []
    case = ModerationCase.objects.get(subject_id=asset.public_id)
    assert case.state == "rejected" and "sexual_minors" in case.reason
    assert "child p0rn" in case.snapshot_text


def test_tags_with_a_doubtful_term_send_a_public_asset_back_to_review(alice, charlie, png):
    asset = make_asset(alice, png)
    publish(alice, asset)
    response = alice.api.patch(
        f"{GALLERY}/{asset.public_id}", {"tags": ["d3capitation"]}, format="json"
    )
    assert response.json()["moderation_state"] == "pending"
    assert public_ids(charlie.api) == []
    assert ModerationCase.objects.get(subject_id=asset.public_id).state == "open"


def test_a_retitled_public_asset_leaves_the_public_feed_until_reviewed(alice, charlie, png):
    asset = make_asset(alice, png)
    publish(alice, asset)
    alice.api.patch(f"{GALLERY}/{asset.public_id}", {"title": "s u i c i d e"}, format="json")
    assert public_ids(charlie.api) == []


def test_clean_new_tags_keep_a_public_asset_in_the_feed(alice, charlie, png):
    asset = make_asset(alice, png)
    publish(alice, asset)
    response = alice.api.patch(
        f"{GALLERY}/{asset.public_id}", {"tags": ["class", "bass", "sunset"]}, format="json"
    )
    assert response.json()["moderation_state"] == "approved"
    assert public_ids(charlie.api) == [asset.public_id]
    assert not ModerationCase.objects.exists()


def test_blocked_tags_given_while_saving_and_publishing_are_screened(alice, charlie, png):
    asset = asset_create_from_file(workspace=alice.workspace, owner=alice.user, path=png)
    response = alice.api.post(
        GALLERY,
        {"asset": asset.public_id, "tags": ["child porn"], "visibility": "public"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["moderation_state"] == "rejected"
    assert public_ids(charlie.api) == []


def test_blocked_tags_set_in_private_are_screened_when_the_page_publishes(alice, charlie, png):
    asset = make_asset(alice, png)
    publish(alice, asset)  # approved once ...
    alice.api.patch(
        f"{GALLERY}/{asset.public_id}",
        {"visibility": "private", "tags": ["child porn"]},
        format="json",
    )
    client = Client()
    client.force_login(alice.user)
    # ... and published again from the dashboard's visibility form.
    client.post(f"/gallery/{asset.public_id}/visibility/", {"visibility": "public"})
    asset.refresh_from_db()
    assert (asset.visibility, asset.moderation_state) == ("public", "rejected")
    assert public_ids(charlie.api) == []


def test_changed_public_text_is_never_public_before_it_is_screened(alice, png):
    asset = make_asset(alice, png)
    publish(alice, asset)
    seen = []

    def peek(sender, asset, **kwargs):
        seen.append(assets_public().filter(pk=asset.pk).exists())

    # Look before moderation's receiver screens: connect first, then moderation again.
    uid = "moderation.asset_visibility"
    asset_visibility_requested.disconnect(dispatch_uid=uid)
    asset_visibility_requested.connect(peek)
    asset_visibility_requested.connect(on_asset_visibility_requested, dispatch_uid=uid)
    try:
        alice.api.patch(f"{GALLERY}/{asset.public_id}", {"tags": ["new"]}, format="json")
    finally:
        asset_visibility_requested.disconnect(peek)
    assert seen == [False]  # the write that changed the tags took it off the feed
    asset.refresh_from_db()
    assert asset.moderation_state == "approved"  # and screening put it back


def test_the_public_feed_shows_no_text_that_is_not_screened():
    # Title and tags are screened (Asset.public_text); a new text field in the public feed
    # (a description, the workspace's name) must be added to the screening first.
    fields = set(GalleryPublicAssetSerializer.Meta.fields)
    text_fields = fields - {
        "id", "kind", "content_type", "duration", "width", "height", "url",
        "thumbnail_url", "created_at",
    }  # fmt: skip
    assert text_fields == {"title", "tags"}
    asset = Asset(title="t", tags=["a", "b"], prompt="p")
    assert asset.public_text().split("\n") == ["t", "a", "b", "p"]


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
