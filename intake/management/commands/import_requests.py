from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intake.imports import ImportRefused, read_csv
from intake.models import Programme
from intake.services import requests_import


class Command(BaseCommand):
    help = (
        "Import request counts from a CSV file with the header "
        "month,programme,category,status,outcome,closed_month,count: every row, or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file.")

    def handle(self, *args, file: Path, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            groups = read_csv(data, programmes=Programme.objects.all())
        except ImportRefused as exc:
            lines = [f"line {line}: {message}" if line else message for line, message in exc.errors]
            raise CommandError("Nothing was imported.\n" + "\n".join(lines)) from None
        entries = requests_import(groups, author=None)
        total = sum(count for _spec, count in groups)
        self.stdout.write(
            f"Imported {total} requests from {len(groups)} rows into {len(entries)} programme(s)."
        )
