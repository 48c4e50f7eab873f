from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self) -> None:
        from apps.core import metrics, queues, requestid
        from apps.core.api.fields import strict_text_fields

        strict_text_fields()
        requestid.celery_connect()
        metrics.sampler_register("queues", queues.queue_depth_sample)
