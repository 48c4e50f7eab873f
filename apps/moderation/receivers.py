"""Receivers for gallery's signals (connected in ModerationConfig.ready)."""

from typing import Any

from apps.moderation import services


def on_asset_visibility_requested(sender: Any, asset: Any, **kwargs: Any) -> None:
    services.asset_screen_for_publishing(asset=asset)


def on_asset_reported(sender: Any, report: Any, **kwargs: Any) -> None:
    services.report_received(report=report)
