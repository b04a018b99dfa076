"""The security counters' own cache table (settings.CACHES["security"]): counts of wrong
passwords and codes, kept apart from the general cache so that nothing else written
there can push them out. createcachetable makes only the tables that are missing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("intake", "0022_audit_actions_declared_by_their_apps")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
