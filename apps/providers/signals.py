"""Signals the providers app sends upward (it may not import jobs).

`provider_task_updated(sender=None, provider=str, task_id=str, job_id=str | None)`:
a verified callback says the provider's task `task_id` (the provider's own id, see
common.task_id_q to match a stored, packed id) changed; the receiver should poll it now.
"""

from django.dispatch import Signal

provider_task_updated = Signal()
