from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "apps.jobs"
    label = "jobs"

    def ready(self) -> None:
        # Moderation sits below jobs: jobs installs its screener and listens for its
        # decisions (moderation never imports jobs).
        from apps.jobs import receivers, services
        from apps.moderation.screening import job_screener
        from apps.moderation.signals import case_decided
        from apps.providers.signals import provider_task_updated

        if job_screener not in services.SCREENERS:
            services.SCREENERS.append(job_screener)
        case_decided.connect(receivers.on_case_decided, dispatch_uid="jobs.case_decided")
        provider_task_updated.connect(
            receivers.on_provider_task_updated, dispatch_uid="jobs.provider_task_updated"
        )
