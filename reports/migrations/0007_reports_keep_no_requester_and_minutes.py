"""A report no longer says who asked for it (the audit log does, by month), and keeps the
worker's times to the minute: existing reports keep everything else, their times cut."""

from django.db import migrations, models

import intake.months


def forwards(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    for report in Report.objects.all():
        times = {name: intake.months.to_the_minute(value) for name in ("created_at", "started_at", "finished_at")
                 if (value := getattr(report, name)) is not None}
        Report.objects.filter(pk=report.pk).update(**times)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0006_report_basis'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='report',
            name='requested_by',
        ),
        migrations.AlterField(
            model_name='report',
            name='created_at',
            field=models.DateTimeField(default=intake.months.to_the_minute_now, editable=False, verbose_name='requested at'),
        ),
    ]
