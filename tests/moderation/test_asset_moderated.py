"""Moderation's decisions on assets reach gallery's `asset_moderated` signal (which the
webhooks app turns into `asset.moderated`): hides and rejections, not approvals."""

import pytest

from apps.gallery.signals import asset_moderated
from apps.moderation.models import ModerationCase
from tests.moderation.test_gallery import make_asset, publish, reporter

pytestmark = pytest.mark.django_db

GALLERY = "/api/v1/gallery"


@pytest.fixture
def png(tmp_path):
    from tests.gallery.mediafiles import make_png

    return make_png(tmp_path / "still.png")


@pytest.fixture
def sent():
    calls: list[tuple[str, str, str]] = []

    def receiver(sender, asset, state, **kwargs):
        calls.append((asset.public_id, asset.workspace.public_id, state))

    asset_moderated.connect(receiver, dispatch_uid="test.asset_moderated")
    yield calls
    asset_moderated.disconnect(dispatch_uid="test.asset_moderated")


def test_publishing_a_clean_asset_sends_nothing(alice, png, sent):
    asset = make_asset(alice, png)
    assert publish(alice, asset).json()["moderation_state"] == "approved"
    assert sent == []


def test_a_blocked_asset_made_public_is_announced_as_rejected(alice, png, sent):
    asset = make_asset(alice, png, title="child p0rn")
    publish(alice, asset)
    assert sent == [(asset.public_id, alice.workspace.public_id, "rejected")]


def test_reports_that_hide_an_asset_then_a_rejection_send_one_event_each(
    alice, charlie, staff, png, sent
):
    asset = make_asset(alice, png)
    publish(alice, asset)
    url = f"{GALLERY}/{asset.public_id}/report"
    for person in (charlie, reporter(1), reporter(2), reporter(3)):
        person.api.post(url, {"reason": "spam"}, format="json")
    assert sent == [(asset.public_id, alice.workspace.public_id, "pending")]
    case = ModerationCase.objects.get(subject_id=asset.public_id)
    staff.api.post(
        f"/api/v1/moderation/cases/{case.public_id}/reject", {"reason": "Spam."}, format="json"
    )
    assert [state for _, _, state in sent] == ["pending", "rejected"]


def test_a_moderator_approving_a_hidden_asset_sends_nothing(alice, charlie, staff, png, sent):
    asset = make_asset(alice, png)
    publish(alice, asset)
    for person in (charlie, reporter(1), reporter(2)):
        person.api.post(f"{GALLERY}/{asset.public_id}/report", {"reason": "x"}, format="json")
    case = ModerationCase.objects.get(subject_id=asset.public_id)
    staff.api.post(f"/api/v1/moderation/cases/{case.public_id}/approve", {}, format="json")
    assert [state for _, _, state in sent] == ["pending"]


def test_an_owners_edit_held_for_review_is_not_announced(alice, png, sent):
    # Gallery itself takes the edited asset off the feed (approved -> pending) in the
    # owner's own write; moderation's "review" then finds it pending already. The owner
    # made the change and sees the state in the response, so no event is sent.
    asset = make_asset(alice, png)
    publish(alice, asset)
    response = alice.api.patch(
        f"{GALLERY}/{asset.public_id}", {"title": "D3capitation scene"}, format="json"
    )
    assert response.json()["moderation_state"] == "pending"
    assert sent == []
