from celery import shared_task

from apps.billing.services import monthly_credits_grant_due


@shared_task(name="billing.grant_monthly_credits")
def grant_monthly_credits() -> int:
    """Beat runs this hourly; each workspace gets one grant per calendar month."""
    return monthly_credits_grant_due()
