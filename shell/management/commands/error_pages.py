"""`manage.py error_pages`: the pages nginx serves itself (deploy/nginx/intake.conf), made
from the app's templates and translations into STATIC_ROOT/errors/, after collectstatic."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

from intake.imports import MAX_BYTES

PAGES = {"upload-too-large.html": "shell/upload_too_large.html"}


class Command(BaseCommand):
    help = "Write the error pages nginx serves (a request over the upload cap) into STATIC_ROOT/errors/."

    def handle(self, *args, **options):
        folder = Path(settings.STATIC_ROOT) / "errors"
        context = {"languages": settings.LANGUAGES, "size": MAX_BYTES // (1024 * 1024)}
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, template in PAGES.items():
                (folder / name).write_text(render_to_string(template, context), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{folder} cannot be written ({exc.strerror}): set STATIC_ROOT to a writable folder.") from None
        self.stdout.write(f"Wrote {len(PAGES)} error page(s) to {folder}.")
