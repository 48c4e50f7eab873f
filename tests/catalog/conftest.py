import pytest

from apps.catalog.registry import PROVIDERS

KEY_SETTINGS = [setting for _, setting in PROVIDERS.values() if setting]


@pytest.fixture(autouse=True)
def _no_provider_keys(settings):
    """Tests start from a server with no provider configured (a developer's .env must not
    leak in); `all_keys` turns every provider on."""
    for name in KEY_SETTINGS:
        setattr(settings, name, "")
    settings.CREDIT_USD_VALUE = "0.01"
    settings.CREDIT_MARGIN_PERCENT = 0


@pytest.fixture
def all_keys(settings):
    for name in KEY_SETTINGS:
        setattr(settings, name, f"test-{name.lower()}")
    return settings
