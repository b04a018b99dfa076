"""Staff maintain reference figures; auditors read them."""

from django.db import migrations

GRANTS = {
    "Staff": ["add_referencefigure", "change_referencefigure", "delete_referencefigure", "view_referencefigure"],
    "Auditor": ["view_referencefigure"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    reports = apps.get_app_config("reports")
    reports.models_module = True
    create_permissions(reports, apps=apps, verbosity=0)
    reports.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group = Group.objects.get(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="reports", codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group = Group.objects.get(name=role)
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="reports", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_reference_figures"),
        ("intake", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
