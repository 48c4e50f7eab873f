"""Celery tasks of webhooks; names are what queued messages and beat refer to: never rename."""

from celery import shared_task

from apps.webhooks.delivery import message_deliver, messages_sweep


@shared_task(name="webhooks.deliver", acks_late=False)
def deliver(message_id: int) -> bool | None:
    return message_deliver(message_id=message_id)


@shared_task(name="webhooks.sweep", acks_late=False)
def sweep() -> int:
    return messages_sweep()
