"""The database cache table (settings.CACHES): login throttling counts attempts
there, so that every web process sees the same counts."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("intake", "0003_entries")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
