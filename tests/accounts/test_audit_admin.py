"""Staff change a workspace's tier in the Django admin: the service records
`workspace.tier_changed` once, and the admin's own LogEntry is mirrored as `admin.action`."""

from typing import Any

import pytest

from apps.accounts.models import AuditAction, AuditEvent, Tier, Workspace
from tests.accounts.test_audit_actions import staff_client

pytestmark = pytest.mark.django_db


def _admin_form_data(page) -> dict[str, Any]:
    """What the admin change form would post back unchanged (with its inline formsets)."""

    def value(bound):
        v = bound.value()
        return "" if v is None else v

    form = page.context["adminform"].form
    data = {name: value(form[name]) for name in form.fields}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({f"{formset.prefix}-{n}": value(management[n]) for n in management.fields})
        for sub in formset.forms:
            data.update({sub.add_prefix(n): value(sub[n]) for n in sub.fields})
    return data


def test_a_tier_change_by_staff_in_the_admin_is_recorded_once_with_the_admin_action(alice, request):
    client, root = staff_client(request)
    url = f"/admin/accounts/workspace/{alice.workspace.pk}/change/"
    data = _admin_form_data(client.get(url))
    data["tier"] = Tier.objects.get(name="pro").pk
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Workspace.objects.get(pk=alice.workspace.pk).tier.name == "pro"
    changed = AuditEvent.objects.get(action=AuditAction.WORKSPACE_TIER_CHANGED)
    assert (changed.actor_user, changed.details["from"], changed.details["to"]) == (
        root,
        "free",
        "pro",
    )
    mirrored = AuditEvent.objects.get(action=AuditAction.ADMIN_ACTION)
    assert (mirrored.target_id, mirrored.workspace_id) == (
        alice.workspace.public_id,
        alice.workspace.pk,
    )
