from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"

    def ready(self) -> None:
        from apps.accounts.key_settings import model_catalog_register
        from apps.catalog.registry import ALIASES, CATALOG

        # API keys' allowed_models are checked against the catalogue (accounts sits below
        # catalog and cannot import it).
        ids = {**ALIASES, **{model_id: model_id for model_id in CATALOG}}
        model_catalog_register(lambda: ids)
