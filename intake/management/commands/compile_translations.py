"""Compile locale/*/LC_MESSAGES/*.po into .mo files, in pure Python (Babel).

Django's own compilemessages needs GNU gettext's msgfmt, which a fresh machine may
not have; the set-up (dev.py) and deployments run this instead.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the project's translations (.po) into .mo files."

    def handle(self, *args, **options):
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file, locale=po_path.parent.parent.name)
                errors = [(message.id, error) for message, errs in catalog.check() for error in errs]
                if errors:
                    raise CommandError(f"{po_path}: {errors[0][0]!r}: {errors[0][1]}")
                with po_path.with_suffix(".mo").open("wb") as mo_file:
                    write_mo(mo_file, catalog, use_fuzzy=False)
                compiled += 1
        self.stdout.write(f"Compiled {compiled} translation file(s).")
