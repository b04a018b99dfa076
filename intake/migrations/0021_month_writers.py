"""Who wrote each programme's month (MonthWriter), for the separation of duties in
month sign-off: an account that changed the cells of a month cannot accept it. Filled
from what the database still tells: the authors of entries, for the months their
requests were received and closed in (and, for an entry whose requests were collapsed
into counts, the month it was logged for), and the authors of moves, for the months of
the requests they moved. Undos and single requests' changes made before this left no
trace of their month, and stay unknown."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def note_writers(apps, schema_editor):
    Entry = apps.get_model("intake", "Entry")
    HelpRequest = apps.get_model("intake", "HelpRequest")
    MovedRequest = apps.get_model("intake", "MovedRequest")
    MonthWriter = apps.get_model("intake", "MonthWriter")
    found = set()
    logged = HelpRequest.objects.filter(entry__author__isnull=False)
    for programme, month, closed, author in logged.values_list("programme", "month", "closed_month",
                                                               "entry__author").distinct():
        found.update((programme, written, author) for written in (month, closed) if written)
    moved = MovedRequest.objects.filter(entry__author__isnull=False)
    for programme, month, before, after, author in moved.values_list(
            "request__programme", "request__month", "from_closed_month", "to_closed_month", "entry__author").distinct():
        found.update((programme, written, author) for written in (month, before, after) if written)
    # Requests collapsed into counts are gone; their entry still says the month it logged.
    kept = Entry.objects.filter(author__isnull=False, collapsed=True).exclude(kind="move")
    found.update(kept.values_list("programme", "month", "author").distinct())
    MonthWriter.objects.bulk_create(
        [MonthWriter(programme_id=programme, month=month, account_id=author)
         for programme, month, author in sorted(found)], batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0020_api_token_audit_actions'),
    ]

    operations = [
        migrations.CreateModel(
            name='MonthWriter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('programme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='intake.programme')),
            ],
            options={
                'default_permissions': (),
                'constraints': [models.CheckConstraint(condition=models.Q(('month__day', 1)), name='monthwriter_month_is_first_day'), models.UniqueConstraint(fields=('programme', 'month', 'account'), name='monthwriter_once')],
            },
        ),
        migrations.RunPython(note_writers, migrations.RunPython.noop),
    ]
