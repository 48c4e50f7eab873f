"""`asset_moderated` tells the apps above gallery that a moderation decision hid or
rejected an asset: once per change, inside the transaction that writes the state."""

import pytest
from django.db import connection, transaction

from apps.gallery.models import Asset, ModerationState
from apps.gallery.services import asset_create_from_file, asset_moderate
from apps.gallery.signals import asset_moderated
from tests.gallery.mediafiles import make_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    """Every asset_moderated sent, as (asset public id, state)."""
    calls: list[tuple[str, str]] = []

    def receiver(sender, asset, state, **kwargs):
        assert connection.in_atomic_block
        calls.append((asset.public_id, state))

    asset_moderated.connect(receiver, dispatch_uid="test.asset_moderated")
    yield calls
    asset_moderated.disconnect(dispatch_uid="test.asset_moderated")


@pytest.fixture
def asset(alice, tmp_path) -> Asset:
    png = make_png(tmp_path / "still.png")
    return asset_create_from_file(
        workspace=alice.workspace, owner=alice.user, path=png, title="Sunrise", saved=True
    )


def moderate(asset: Asset, state: str) -> None:
    asset_moderate(asset=asset, state=state)


def test_a_rejection_sends_asset_moderated_once_with_the_new_state(asset, sent):
    moderate(asset, ModerationState.REJECTED)
    assert sent == [(asset.public_id, "rejected")]
    assert isinstance(sent[0][1], ModerationState)


def test_hiding_an_approved_asset_sends_it_with_the_pending_state(asset, sent):
    moderate(asset, ModerationState.APPROVED)
    moderate(asset, ModerationState.PENDING)
    assert sent == [(asset.public_id, "pending")]


def test_approving_sends_nothing(asset, sent):
    moderate(asset, ModerationState.APPROVED)
    moderate(asset, ModerationState.REJECTED)
    moderate(asset, ModerationState.APPROVED)
    assert sent == [(asset.public_id, "rejected")]


def test_setting_the_same_state_again_sends_nothing(asset, sent):
    moderate(asset, ModerationState.REJECTED)
    moderate(asset, ModerationState.REJECTED)
    moderate(Asset.objects.get(pk=asset.pk), ModerationState.REJECTED)
    assert len(sent) == 1


def test_a_stale_copy_of_the_asset_cannot_announce_a_change_twice(asset, sent):
    # Both callers loaded the asset as pending; the state is read again under the lock.
    stale = Asset.objects.get(pk=asset.pk)
    moderate(asset, ModerationState.REJECTED)
    moderate(stale, ModerationState.REJECTED)
    assert len(sent) == 1


def test_a_new_asset_held_for_review_was_never_shown_so_nothing_is_hidden(asset, sent):
    moderate(asset, ModerationState.PENDING)  # pending from the start
    moderate(asset, ModerationState.REJECTED)
    moderate(asset, ModerationState.PENDING)  # rejected -> pending hides nothing new
    assert sent == [(asset.public_id, "rejected")]


def test_a_rolled_back_decision_leaves_the_state_and_may_be_announced_again(asset, sent):
    with pytest.raises(RuntimeError), transaction.atomic():
        moderate(asset, ModerationState.REJECTED)
        raise RuntimeError("the case could not be saved")
    asset.refresh_from_db()
    assert asset.moderation_state == ModerationState.PENDING
    moderate(asset, ModerationState.REJECTED)
    assert [state for _, state in sent] == ["rejected", "rejected"]  # the first one rolled back


def test_a_receiver_that_fails_rolls_the_decision_back(asset):
    def broken(sender, **kwargs):
        raise RuntimeError("outbox down")

    asset_moderated.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError):
            moderate(asset, ModerationState.REJECTED)
    finally:
        asset_moderated.disconnect(dispatch_uid="test.broken")
    asset.refresh_from_db()
    assert asset.moderation_state == ModerationState.PENDING
