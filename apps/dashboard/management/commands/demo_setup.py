"""Creates (once) the demo workspace `make run` logs you into, and prints the login."""

from typing import Any

from django.core.management.base import BaseCommand

from apps.accounts.models import User
from apps.dashboard.provisioning import account_signup, provision_credits

DEMO_EMAIL = "demo@reelsmith.local"
DEMO_PASSWORD = "reelsmith-demo"  # noqa: S105 - a local demo login, printed on purpose
DEMO_CREDITS = 5000


class Command(BaseCommand):
    help = "Create the demo user and workspace (idempotent) and print how to log in."

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            user = account_signup(email=DEMO_EMAIL, password=DEMO_PASSWORD, name="Demo")
            workspace = user.memberships.get().workspace
            provision_credits(workspace=workspace, credits=DEMO_CREDITS)
        # `make run` prints the URL once the server answers (runstack).
        self.stdout.write(f"Demo workspace ready: log in as {DEMO_EMAIL} / {DEMO_PASSWORD}")
