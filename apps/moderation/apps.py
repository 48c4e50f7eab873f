from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "apps.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from apps.core.metrics import sampler_register
        from apps.gallery import hooks as gallery_hooks
        from apps.gallery import signals as gallery_signals
        from apps.moderation import receivers
        from apps.moderation.metrics import moderation_sample

        gallery_signals.asset_visibility_requested.connect(
            receivers.on_asset_visibility_requested, dispatch_uid="moderation.asset_visibility"
        )
        gallery_signals.asset_reported.connect(
            receivers.on_asset_reported, dispatch_uid="moderation.asset_reported"
        )
        gallery_hooks.name_screener_register(receivers.public_name_is_clean)
        sampler_register("moderation", moderation_sample)

        from django.db.models.signals import post_delete, post_migrate, post_save

        from apps.moderation.models import TERMS, ModerationTerm

        # The screeners' per-process copy of the term lists follows every change, a data
        # migration's seeds included (historical models send no save signals).
        post_save.connect(TERMS.changed, sender=ModerationTerm, dispatch_uid="terms-save")
        post_delete.connect(TERMS.changed, sender=ModerationTerm, dispatch_uid="terms-del")
        post_migrate.connect(TERMS.changed, dispatch_uid="terms-migrate")
