"""The roles, as groups with permissions (docs/design.md).

The permission lists are frozen here; a later change of a role is a new migration.
"""

from django.db import migrations

ROLES = {
    "Coordinator": [
        "intake.add_helprequest",
        "intake.change_helprequest",
        "intake.view_helprequest",
    ],
    "Staff": [
        "intake.add_helprequest",
        "intake.change_helprequest",
        "intake.view_helprequest",
        "intake.act_in_all_programmes",
        "intake.import_requests",
        "reports.view_report",
        "reports.generate_report",
        "reports.export_report",
    ],
    "Auditor": [
        "reports.view_report",
        "reports.export_report",
    ],
    "Administrator": [
        "intake.add_user",
        "intake.change_user",
        "intake.view_user",
        "intake.add_programme",
        "intake.change_programme",
        "intake.view_programme",
        "auth.view_group",
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations have run; create them
    # now so that the groups can be given them on a fresh database.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
        ("reports", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
