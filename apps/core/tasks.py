from celery import shared_task


@shared_task(name="core.ping", time_limit=10, soft_time_limit=5, acks_late=False)
def ping() -> str:
    """Proves a worker is consuming the queue (see /healthz)."""
    return "pong"
