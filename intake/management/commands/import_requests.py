import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intake.imports import MAX_BYTES, ImportRefused, check_size, read_csv
from intake.models import Programme
from intake.services import requests_import


class Command(BaseCommand):
    help = (
        "Import request counts from a CSV file with the header "
        "month,programme,category,status,outcome,closed_month,count (separated by commas, semicolons or tabs; "
        "UTF-8 or Windows-1251): every row, or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file.")

    def handle(self, *args, file: Path, **options):
        try:
            with file.open("rb") as opened:
                check_size(os.fstat(opened.fileno()).st_size)  # before reading any of it
                # A pipe's size is 0: read no more than a file may hold; read_csv refuses more.
                data = opened.read(MAX_BYTES + 1)
            groups = read_csv(data, programmes=Programme.objects.all())
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        except ImportRefused as exc:
            lines = [f"line {line}: {message}" if line else message for line, message in exc.errors]
            raise CommandError("Nothing was imported.\n" + "\n".join(lines)) from None
        requests_import(groups, author=None)
        total = sum(count for _spec, count in groups)
        programmes = len({spec.programme.pk for spec, _count in groups})
        self.stdout.write(f"Imported {total} requests from {len(groups)} rows into {programmes} programme(s), as one entry.")
