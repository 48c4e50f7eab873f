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
