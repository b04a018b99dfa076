"""Prints the API's OpenAPI 3.1 document, as /api/openapi.json serves it; with
--write, writes it to docs/openapi.json (committed: a test checks they agree)."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from api.views import api

DOCUMENT = settings.BASE_DIR / "docs" / "openapi.json"


def openapi_text() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Print the API's OpenAPI document (or write it to docs/openapi.json with --write)."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="write docs/openapi.json instead of printing")

    def handle(self, *args, write: bool = False, **options):
        if write:
            DOCUMENT.write_text(openapi_text(), encoding="utf-8")
            self.stdout.write(f"Wrote {DOCUMENT}")
        else:
            self.stdout.write(openapi_text(), ending="")
