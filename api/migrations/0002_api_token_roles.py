"""Staff issue, list and revoke API tokens."""

from django.db import migrations

GRANTS = {"Staff": ["manage_apitoken"]}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("api")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        Group.objects.get(name=role).permissions.add(
            *Permission.objects.filter(content_type__app_label="api", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        Group.objects.get(name=role).permissions.remove(
            *Permission.objects.filter(content_type__app_label="api", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("api", "0001_api_tokens"), ("intake", "0014_review_roles")]

    operations = [migrations.RunPython(grant, revoke)]
