"""Signals moderation sends to apps above it (which it may not import).

`case_decided(subject_type, subject_id, approved, reason)`: a staff decision on a case,
sent inside the deciding transaction (a receiver that raises rolls the decision back).
apps/jobs connects the receiver that resumes or rejects a job waiting in review."""

from django.dispatch import Signal

case_decided = Signal()
