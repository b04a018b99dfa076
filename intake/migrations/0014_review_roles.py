"""Month sign-off: staff submit months, reopen returned ones and ask for unlocks;
auditors accept or return them and grant unlocks; both read the reviews."""

from django.db import migrations

GRANTS = {
    "Staff": ["view_monthreview", "submit_month"],
    "Auditor": ["view_monthreview", "decide_month"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    intake = apps.get_app_config("intake")
    intake.models_module = True
    create_permissions(intake, apps=apps, verbosity=0)
    intake.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        Group.objects.get(name=role).permissions.add(
            *Permission.objects.filter(content_type__app_label="intake", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        Group.objects.get(name=role).permissions.remove(
            *Permission.objects.filter(content_type__app_label="intake", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("intake", "0013_month_review")]

    operations = [migrations.RunPython(grant, revoke)]
