from django.apps import AppConfig


class CompatConfig(AppConfig):
    """Wire-compatible fronts onto the jobs, catalog and gallery services: OpenAI's
    /v1/videos and the seed APIs (ALwrity, AetherWave, Veo3). Translation only: no
    business rule lives here (docs/compat.md)."""

    name = "apps.compat"
    label = "compat"
    verbose_name = "Compatibility APIs"

    def ready(self) -> None:
        from apps.compat.openai.errors import register

        register()
