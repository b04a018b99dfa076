"""Staff and auditors read the audit log; nobody may change it."""

from django.db import migrations

READERS = ["Staff", "Auditor"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    intake = apps.get_app_config("intake")
    intake.models_module = True
    create_permissions(intake, apps=apps, verbosity=0)
    intake.models_module = None
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="intake", codename="view_auditevent")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=READERS):
        group.permissions.add(view)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.filter(content_type__app_label="intake", codename="view_auditevent")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=READERS):
        group.permissions.remove(*view)


class Migration(migrations.Migration):
    dependencies = [("intake", "0005_audit_events"), ("reports", "0003_reference_figure_roles")]

    operations = [migrations.RunPython(grant, revoke)]
