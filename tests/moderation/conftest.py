import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Membership
from apps.accounts.scopes import ALL_SCOPES
from apps.accounts.services import api_key_create, user_signup
from apps.moderation.models import ModerationTerm
from tests.conftest import Actor
from tests.jobs.conftest import job_storage, priced  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def terms(db):
    """The seeded default lists (tests/conftest.py restores them after flushes) plus
    "ass", so the innocent-word tests have a short term to trip over."""
    ModerationTerm.objects.get_or_create(category="profanity", term="ass")


@pytest.fixture
def staff(db) -> Actor:
    user = user_signup(email="mod@example.com", password="pw-12345678", is_staff=True)
    membership = Membership.objects.get(user=user)
    _, key = api_key_create(actor=membership, name="moderator key", scopes=list(ALL_SCOPES))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return Actor(user, membership.workspace, membership, key, client)
