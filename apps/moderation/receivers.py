"""Receivers for gallery's signals and its name-screening hook (connected in
ModerationConfig.ready)."""

from typing import Any

from apps.moderation import screening, services
from apps.moderation.models import Decision


def on_asset_visibility_requested(sender: Any, asset: Any, **kwargs: Any) -> None:
    services.asset_screen_for_publishing(asset=asset)


def on_asset_reported(sender: Any, report: Any, **kwargs: Any) -> None:
    services.report_received(report=report)


def public_name_is_clean(name: str) -> bool:
    """gallery.hooks' name screener: a workspace name shown on a public share page must
    pass screening outright (review or block keeps it hidden)."""
    return screening.screen(text=name).decision == Decision.ALLOW
