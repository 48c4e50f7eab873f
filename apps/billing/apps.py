from typing import Any

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "apps.billing"
    label = "billing"

    def ready(self) -> None:
        from apps.accounts.signals import workspace_created

        workspace_created.connect(_open_credit_account, dispatch_uid="billing.open_account")


def _open_credit_account(sender: Any, workspace: Any, **kwargs: Any) -> None:
    from apps.billing.services import credit_account_open

    credit_account_open(workspace=workspace)
