from django.db import migrations

MB = 1024 * 1024
GB = 1024 * MB

TIERS = [
    # name, display, upload per file, storage quota (None = unlimited), concurrent jobs, req/min
    ("free", "Free", 100 * MB, 500 * MB, 2, 60, 0),
    ("pro", "Pro", 500 * MB, 5 * GB, 5, 300, 1),
    ("enterprise", "Enterprise", 2 * GB, None, 20, 1200, 2),
]


def seed(apps, schema_editor):
    Tier = apps.get_model("accounts", "Tier")
    for name, display, upload, quota, jobs, rpm, order in TIERS:
        Tier.objects.update_or_create(
            name=name,
            defaults={
                "display_name": display,
                "max_upload_bytes": upload,
                "storage_quota_bytes": quota,
                "max_concurrent_jobs": jobs,
                "requests_per_minute": rpm,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
