"""Signals gallery sends to apps above it (moderation), which it may not import.

- `asset_visibility_requested(asset)`: an asset became public, or a public asset's public
  text (`Asset.public_text`: title, tags, prompt) changed; moderation screens it and sets
  its moderation state.
- `asset_reported(report)`: a new user report (a repeat by the same user is not sent).
- `asset_moderated(asset, state)`: an asset of a workspace was hidden or rejected."""

from django.dispatch import Signal

asset_visibility_requested = Signal()
asset_reported = Signal()
asset_moderated = Signal()
