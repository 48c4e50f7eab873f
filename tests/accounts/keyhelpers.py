from rest_framework.test import APIClient

from apps.accounts import services
from apps.accounts.models import ApiKey


def key_client(actor, **settings) -> tuple[ApiKey, APIClient]:
    """A key made through the service by `actor` (an owner or admin), and a test client
    using it (`client.secret` is the key)."""
    api_key, secret = services.api_key_create(
        actor=actor.membership, name=settings.pop("name", "scoped"), **settings
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.secret = secret  # for clients other than the test client
    return api_key, client
