"""Sends the webhooks' Celery task by its registered name, so that no service imports tasks."""

from celery import current_app

DELIVER_TASK = "webhooks.deliver"


def enqueue_delivery(message_id: int, countdown: float = 0) -> None:
    current_app.tasks[DELIVER_TASK].apply_async(args=[message_id], countdown=countdown or None)
