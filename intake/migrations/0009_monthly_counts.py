"""The table of monthly counts and the data versions, built from the requests that
already exist; entries' sizes, likewise. The same SQL runs on PostgreSQL and SQLite."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0008_report_audit_actions'),
    ]

    operations = [
        migrations.CreateModel(
            name='DataVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('version', models.PositiveBigIntegerField(default=0)),
            ],
            options={
                'default_permissions': (),
            },
        ),
        migrations.CreateModel(
            name='MonthlyCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('category', models.CharField(choices=[('desertion', 'Desertion (leave a unit)'), ('mobilisation', 'Mobilisation (avoid call-up)'), ('emigration', 'Emigration (passports, border)'), ('surrender', 'Voluntary surrender'), ('legal', 'Legal consultation'), ('other', 'Other')], max_length=20)),
                ('status', models.CharField(choices=[('new', 'New'), ('in_progress', 'In progress'), ('closed', 'Closed')], max_length=20)),
                ('outcome', models.CharField(blank=True, choices=[('left_country', 'Left the country'), ('safe_in_russia', 'Safe in Russia'), ('surrendered', 'Surrendered'), ('returned_to_unit', 'Returned to unit'), ('detained', 'Detained'), ('referred', 'Referred elsewhere'), ('lost_contact', 'Lost contact'), ('withdrew', 'Withdrew the request')], max_length=20)),
                ('closed_month', models.DateField(blank=True, null=True)),
                ('requests', models.IntegerField(default=0)),
            ],
            options={
                'default_permissions': (),
            },
        ),
        migrations.AddField(
            model_name='entry',
            name='size',
            field=models.PositiveIntegerField(default=0, verbose_name='requests'),
        ),
        migrations.AlterField(
            model_name='helprequest',
            name='entry',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='requests', to='intake.entry', verbose_name='entry'),
        ),
        migrations.AddIndex(
            model_name='helprequest',
            index=models.Index(condition=models.Q(('status', 'closed'), _negated=True), fields=['month', 'programme', 'id'], name='helprequest_waiting'),
        ),
        migrations.AddField(
            model_name='dataversion',
            name='programme',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='intake.programme'),
        ),
        migrations.AddField(
            model_name='monthlycount',
            name='programme',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='intake.programme'),
        ),
        migrations.AddConstraint(
            model_name='dataversion',
            constraint=models.CheckConstraint(condition=models.Q(('month__day', 1)), name='dataversion_month_is_first_day'),
        ),
        migrations.AddConstraint(
            model_name='dataversion',
            constraint=models.UniqueConstraint(fields=('programme', 'month'), name='dataversion_one_per_month'),
        ),
        migrations.AddIndex(
            model_name='monthlycount',
            index=models.Index(fields=['programme', 'month'], name='monthlycount_programme_month'),
        ),
        migrations.AddConstraint(
            model_name='monthlycount',
            constraint=models.CheckConstraint(condition=models.Q(('month__day', 1)), name='monthlycount_month_is_first_day'),
        ),
        migrations.AddConstraint(
            model_name='monthlycount',
            constraint=models.CheckConstraint(condition=models.Q(('closed_month__day', 1)), name='monthlycount_closed_month_is_first_day'),
        ),
        migrations.AddConstraint(
            model_name='monthlycount',
            constraint=models.CheckConstraint(condition=models.Q(('requests__gte', 0)), name='monthlycount_requests_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='monthlycount',
            constraint=models.UniqueConstraint(condition=models.Q(('closed_month__isnull', True)), fields=('programme', 'month', 'category', 'status', 'outcome'), name='monthlycount_one_open_cell'),
        ),
        migrations.AddConstraint(
            model_name='monthlycount',
            constraint=models.UniqueConstraint(condition=models.Q(('closed_month__isnull', False)), fields=('programme', 'month', 'category', 'status', 'outcome', 'closed_month'), name='monthlycount_one_closed_cell'),
        ),
        migrations.RunSQL(
            [
                "INSERT INTO intake_monthlycount (programme_id, month, category, status, outcome, closed_month, requests) "
                "SELECT programme_id, month, category, status, outcome, closed_month, COUNT(*) FROM intake_helprequest "
                "GROUP BY programme_id, month, category, status, outcome, closed_month",
                "INSERT INTO intake_dataversion (programme_id, month, version) "
                "SELECT DISTINCT programme_id, month, 1 FROM intake_helprequest",
                "UPDATE intake_entry SET size = "
                "(SELECT COUNT(*) FROM intake_helprequest WHERE intake_helprequest.entry_id = intake_entry.id)",
            ],
            # Going back drops the tables and the column.
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
