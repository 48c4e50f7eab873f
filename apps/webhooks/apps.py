from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "apps.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Billing and gallery sit below webhooks: they announce by signal, webhooks listens.
        # Importing the tasks registers them by name in every process (enqueue.py).
        from apps.billing.signals import credits_low
        from apps.gallery.signals import asset_moderated
        from apps.webhooks import receivers, tasks  # noqa: F401

        credits_low.connect(receivers.on_credits_low, dispatch_uid="webhooks.credits_low")
        asset_moderated.connect(
            receivers.on_asset_moderated, dispatch_uid="webhooks.asset_moderated"
        )
