import pytest

from apps.billing.models import CreditAccount, LedgerEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = UserFactory(email="staff@example.com")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


def test_staff_grant_credits_in_the_admin_once_per_form(staff_client, alice):
    form = staff_client.get("/admin/billing/ledgerentry/add/")
    assert form.status_code == 200
    key = form.context["adminform"].form.fields["idempotency_key"].initial
    data = {
        "workspace": alice.workspace.pk,
        "kind": "grant",
        "credits": 300,
        "description": "welcome",
        "idempotency_key": key,
    }
    assert staff_client.post("/admin/billing/ledgerentry/add/", data).status_code == 302
    # Submitting the same form again is refused: the key is already used.
    again = staff_client.post("/admin/billing/ledgerentry/add/", data)
    assert again.status_code == 200
    assert "idempotency_key" in again.context["adminform"].form.errors
    assert CreditAccount.objects.get(workspace=alice.workspace).balance == 300
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.description, entry.created_by.email) == (
        "grant",
        "welcome",
        "staff@example.com",
    )


def test_ledger_entries_are_read_only_in_the_admin(staff_client, alice):
    from apps.billing import services

    entry = services.credits_grant(workspace=alice.workspace, credits=5, idempotency_key="g")
    page = staff_client.get(f"/admin/billing/ledgerentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert staff_client.post(f"/admin/billing/ledgerentry/{entry.pk}/delete/").status_code == 403
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
    assert staff_client.get("/admin/billing/creditaccount/").status_code == 200
