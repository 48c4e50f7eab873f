from typing import Any

import factory

from apps.accounts import services
from apps.accounts.models import Membership, Role, User, Workspace


class UserFactory(factory.django.DjangoModelFactory):
    """A signed-up user: the account plus their personal Free workspace."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("first_name")

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> User:
        return services.user_signup(
            email=kwargs["email"],
            password=kwargs.get("password", "pw-for-tests-1"),
            name=kwargs.get("name", ""),
        )


def add_member(workspace: Workspace, user: User, role: str = Role.MEMBER) -> Membership:
    return Membership.objects.create(workspace=workspace, user=user, role=role)
