"""Signals gallery sends to apps above it (moderation), which it may not import.

- `asset_visibility_requested(asset)`: an asset became public, or a public asset's public
  text (`Asset.public_text`: title, tags, prompt) changed; moderation screens it and sets
  its moderation state.
- `asset_reported(report)`: a new user report (a repeat by the same user is not sent).

And to apps above it that tell the workspace (webhooks):

- `asset_moderated(asset, state)`: a moderation decision (`services.asset_moderate`) hid
  or rejected one of the workspace's assets; `state` is the new `ModerationState`:
  `rejected` (from any other state), or `pending` (off the public feed until decided)
  coming from `approved`. Sent once per change: setting the same state again, approving,
  and rejected -> pending send nothing. Sent INSIDE the transaction that writes the state,
  with the asset row locked, so a receiver's rows (an outbox row) commit or roll back with
  the decision; a receiver that raises rolls the decision back. Receivers do no network
  I/O (use `transaction.on_commit`)."""

from django.dispatch import Signal

asset_visibility_requested = Signal()
asset_reported = Signal()
asset_moderated = Signal()
