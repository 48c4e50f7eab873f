"""Events announced by apps below webhooks (billing, gallery), turned into messages."""

from typing import Any

from apps.webhooks.models import Event
from apps.webhooks.services import event_emit


def on_credits_low(
    sender: Any, *, workspace: Any, available: int, threshold: int, **kw: Any
) -> None:
    event_emit(
        workspace=workspace,
        event=Event.CREDITS_LOW,
        data={"available": available, "threshold": threshold},
    )


def on_asset_moderated(sender: Any, *, asset: Any, state: str, **kw: Any) -> None:
    event_emit(
        workspace=asset.workspace,
        event=Event.ASSET_MODERATED,
        data={"asset": asset.public_id, "state": str(state)},
    )
