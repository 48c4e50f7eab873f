"""Signals billing sends to apps above it, which it may not import.

- `credits_low(workspace, available, threshold)`: the workspace's available credits fell
  below its threshold (both in credits)."""

from django.dispatch import Signal

credits_low = Signal()
