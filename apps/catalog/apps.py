from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        from apps.accounts.key_settings import model_catalog_register
        from apps.catalog.models import ModelOverride
        from apps.catalog.registry import ALIASES, CATALOG
        from apps.catalog.selectors import OVERRIDES

        # API keys' allowed_models are checked against the catalogue (accounts sits below
        # catalog and cannot import it).
        ids = {**ALIASES, **{model_id: model_id for model_id in CATALOG}}
        model_catalog_register(lambda: ids)

        # The per-process copy of the overrides follows every change (selectors.py).
        post_save.connect(OVERRIDES.changed, sender=ModelOverride, dispatch_uid="overrides-save")
        post_delete.connect(OVERRIDES.changed, sender=ModelOverride, dispatch_uid="overrides-del")
        post_migrate.connect(OVERRIDES.changed, dispatch_uid="overrides-migrate")
