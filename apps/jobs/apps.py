from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "apps.jobs"
    label = "jobs"

    def ready(self) -> None:
        # Moderation and providers sit below jobs: they announce decisions and callbacks by
        # signal, and jobs listens (they never import jobs).
        from apps.jobs import receivers
        from apps.moderation.signals import case_decided
        from apps.providers.signals import provider_task_updated

        case_decided.connect(receivers.on_case_decided, dispatch_uid="jobs.case_decided")
        provider_task_updated.connect(
            receivers.on_provider_task_updated, dispatch_uid="jobs.provider_task_updated"
        )
