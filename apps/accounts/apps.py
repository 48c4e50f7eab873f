from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.accounts import (  # noqa: F401  (audit receivers; OpenAPI; key cache)
            keycache_signals,
            receivers,
            schema,
        )
