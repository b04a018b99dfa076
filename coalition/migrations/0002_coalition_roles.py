"""Staff add and remove peers; staff and auditors see peers, their alarms and the coalition page."""

from django.db import migrations

GRANTS = {
    "Staff": ["add_peer", "delete_peer", "view_peer", "view_peerdocument"],
    "Auditor": ["view_peer", "view_peerdocument"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    coalition = apps.get_app_config("coalition")
    coalition.models_module = True
    create_permissions(coalition, apps=apps, verbosity=0)
    coalition.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group = Group.objects.get(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="coalition", codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group = Group.objects.get(name=role)
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="coalition", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("coalition", "0001_coalition_peers"),
        ("intake", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
