from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.services import report_verify_record
from reports.verification import MAX_EXPORT_BYTES, ExportRefused, export_check


class Command(BaseCommand):
    help = (
        "Check a report's JSON export against the stored version it names: exit 0 if every figure matches "
        "exactly, 1 (listing the figures that differ, or why it cannot be checked) otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON export, as a report page's JSON button downloads it.")

    def handle(self, *args, file: str, **options):
        try:
            with Path(file).open("rb") as handle:
                raw = handle.read(MAX_EXPORT_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            check = export_check(raw)
        except ExportRefused as exc:
            raise CommandError(str(exc)) from None
        report_verify_record(report=check.report, actor=None, kind="file")
        if check.matches:
            if check.is_published:
                self.stdout.write(f"Matches the {check.profile} figures of {check.report} exactly.")
            else:
                self.stdout.write(f"Matches {check.report} exactly.")
            return
        for d in check.differences:
            stored = f"{check.profile} now" if check.is_published else "stored"
            self.stdout.write(f"{d.figure}: in the file {_shown(d.in_file)}, {stored} {_shown(d.stored)}")
        count = len(check.differences)
        raise CommandError(
            f"The file does not match {check.report}: {count} figure{' differs' if count == 1 else 's differ'}."
        )


def _shown(value: str | None) -> str:
    return "(missing)" if value is None else value
