from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "apps.jobs"
    label = "jobs"

    def ready(self) -> None:
        # Moderation and providers sit below jobs: they announce decisions and callbacks by
        # signal, and jobs listens (they never import jobs). Importing the tasks registers
        # them under their names in every process, web included: apps.jobs.enqueue sends
        # them by name, so no service imports them.
        from apps.core.metrics import sampler_register
        from apps.jobs import receivers, tasks  # noqa: F401
        from apps.jobs.metrics import stuck_jobs_sample
        from apps.moderation.signals import case_decided
        from apps.providers.signals import provider_task_updated

        case_decided.connect(receivers.on_case_decided, dispatch_uid="jobs.case_decided")
        provider_task_updated.connect(
            receivers.on_provider_task_updated, dispatch_uid="jobs.provider_task_updated"
        )
        sampler_register("jobs", stuck_jobs_sample)

        from django.db.models.signals import post_migrate

        from apps.jobs.jobrecord import migrated

        # Data migrations write jobs through historical models, which skip the status
        # read's invalidation (apps/jobs/jobrecord.py): every job's record dies.
        post_migrate.connect(migrated, dispatch_uid="jobs.jobrecord_migrated")
