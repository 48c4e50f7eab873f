"""Provisioning for operators and acceptance tests. Interface is stable:

    manage.py create_workspace --email E [--name N] [--tier free|pro|enterprise]
                               [--credits N] [--password P] [--staff]

prints one JSON object: {"workspace": "<public id>", "user": "<email>", "api_key": "<secret>"}.
An existing user gets a further workspace (another tenant) of which they are the owner.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts.models import Membership, User
from apps.accounts.scopes import ALL_SCOPES
from apps.accounts.services import api_key_create, workspace_create
from apps.core.errors import ApplicationError
from apps.dashboard.provisioning import provision_credits


class Command(BaseCommand):
    help = "Create a user (if needed), a workspace they own and an API key; print JSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", help="Workspace name (default: from the email).")
        parser.add_argument("--tier", default="free", help="free, pro or enterprise.")
        parser.add_argument("--credits", type=int, default=0, help="Credits to grant.")
        parser.add_argument("--password", help="Password for dashboard login.")
        parser.add_argument("--staff", action="store_true", help="Make the user platform staff.")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["credits"] < 0:
            raise CommandError("--credits must be zero or more.")
        email = User.objects.normalize_email(opts["email"]).lower()
        try:
            with transaction.atomic():
                user = User.objects.filter(email__iexact=email).first()
                if user is None:
                    user = User.objects.create_user(email, opts["password"])
                elif opts["password"]:
                    user.set_password(opts["password"])
                if opts["staff"]:
                    user.is_staff = user.is_superuser = True
                user.save()
                workspace = workspace_create(
                    owner=user,
                    name=opts["name"] or f"{email.split('@')[0]}'s workspace",
                    tier=opts["tier"],
                )
                if opts["credits"]:
                    provision_credits(workspace=workspace, credits=opts["credits"])
                owner = Membership.objects.get(workspace=workspace, user=user)
                # The owner's bootstrap key: every scope, like the owner on the pages.
                _, secret = api_key_create(
                    actor=owner, name="create_workspace", scopes=list(ALL_SCOPES)
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            json.dumps({"workspace": workspace.public_id, "user": user.email, "api_key": secret})
        )
