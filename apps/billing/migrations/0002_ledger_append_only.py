"""The database itself refuses to change a ledger entry (and, on PostgreSQL, to delete
one); Django's model refuses both too. SQLite gets no DELETE trigger because Django's
test flush empties tables with DELETE (PostgreSQL's TRUNCATE fires no row triggers).
Also opens a credit account for every workspace that existed before billing."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION billing_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'billing_ledgerentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_ledger_no_update BEFORE UPDATE OR DELETE ON billing_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION billing_ledger_append_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS billing_ledger_no_update ON billing_ledgerentry;
DROP FUNCTION IF EXISTS billing_ledger_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER billing_ledger_no_update BEFORE UPDATE ON billing_ledgerentry
BEGIN SELECT RAISE(ABORT, 'billing_ledgerentry is append-only (UPDATE refused)'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS billing_ledger_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD, None)
    Workspace = apps.get_model("accounts", "Workspace")
    CreditAccount = apps.get_model("billing", "CreditAccount")
    for workspace_id in Workspace.objects.values_list("pk", flat=True):
        CreditAccount.objects.get_or_create(workspace_id=workspace_id)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE, None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial"), ("accounts", "0003_tier_credits")]

    operations = [migrations.RunPython(forward, reverse)]
