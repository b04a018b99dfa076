"""Existing rows of the installed apps' tables keep no time finer than the month
(shell/time_policy.py): the admin's change log and django-otp's devices are cut to the
month; django-otp's throttling and last-code step and django-axes' tables, which the app
no longer writes, are emptied. From now on the app writes them so (shell.time_policy)."""

from django.db import migrations

from intake.months import start_of_month


def _to_the_month(model, *names):
    for row in model.objects.all():
        changed = {name: start_of_month(getattr(row, name)) for name in names if getattr(row, name) is not None}
        if changed:
            model.objects.filter(pk=row.pk).update(**changed)


def forwards(apps, schema_editor):
    _to_the_month(apps.get_model("admin", "LogEntry"), "action_time")
    for label in ("otp_totp.TOTPDevice", "otp_static.StaticDevice"):
        device = apps.get_model(label)
        _to_the_month(device, "created_at", "last_used_at")
        device.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)
    apps.get_model("otp_totp", "TOTPDevice").objects.update(last_t=-1)
    for name in ("AccessAttempt", "AccessAttemptExpiration", "AccessFailureLog", "AccessLog"):
        apps.get_model("axes", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0018_accounts_keep_no_last_login"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
