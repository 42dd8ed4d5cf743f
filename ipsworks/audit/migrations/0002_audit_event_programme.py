"""Each audit event names its programme, so the audit page can show a programme's people only
their own programme's events. Existing events with a site take the site's programme; existing
site-less events keep none (superusers read them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def programme_from_site(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    Site = apps.get_model("organisation", "Site")
    AuditEvent.objects.filter(site__isnull=False).update(
        programme_id=models.Subquery(
            Site.objects.filter(pk=models.OuterRef("site_id")).values("programme_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("organisation", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="programme",
            field=models.ForeignKey(
                blank=True,
                help_text="The programme the change belongs to (the site's, or a programme-wide record's); none for accounts and reference data, which only superusers read.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisation.programme",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["programme", "at"], name="audit_audit_program_779520_idx"),
        ),
        migrations.RunPython(programme_from_site, migrations.RunPython.noop),
    ]
