"""API tokens from the command line, for an operator without the staff pages:

    manage.py api_token issue --partner NAME --profile public|partner --programme SLUG [--programme SLUG ...]
                              --expires YYYY-MM-DD [--origin https://host]
    manage.py api_token revoke PREFIX

`issue` checks what the staff form checks and prints the token once (last line);
both are noted in the audit log, as done from the command line."""

from django.core.management.base import BaseCommand, CommandError

from intake.models import Programme

from ...forms import ApiTokenForm
from ...models import ApiToken
from ...tokens import TAG, token_issue, token_revoke


class Command(BaseCommand):
    help = "Issue an API token (printed once) or revoke one by its prefix."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        issue = actions.add_parser("issue")
        issue.add_argument("--partner", required=True)
        issue.add_argument("--profile", required=True, choices=["partner", "public"])
        issue.add_argument("--programme", action="append", required=True, help="a programme's slug (repeatable)")
        issue.add_argument("--expires", required=True, help="YYYY-MM-DD")
        issue.add_argument("--origin", default="", help="the one web origin allowed by CORS (optional)")
        revoke = actions.add_parser("revoke")
        revoke.add_argument("prefix", help=f"the 8 hex digits after {TAG}_")

    def handle(self, *args, action: str, **options):
        if action == "revoke":
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError(f"No token starts with {TAG}_{options['prefix']}.")
            if token_revoke(token=token, actor=None):
                self.stdout.write(f"Revoked {TAG}_{token.prefix} ({token.partner}).")
            else:
                self.stdout.write(f"{TAG}_{token.prefix} ({token.partner}) was already revoked; nothing was changed.")
            return
        slugs = options["programme"]
        programmes = list(Programme.objects.filter(slug__in=slugs))
        if len(programmes) != len(set(slugs)):
            unknown = sorted(set(slugs) - {p.slug for p in programmes})
            raise CommandError(f"No programme named {', '.join(unknown)}.")
        form = ApiTokenForm({"partner": options["partner"], "profile": options["profile"],
                             "programmes": [p.pk for p in programmes], "expires_on": options["expires"],
                             "cors_origin": options["origin"]})
        if not form.is_valid():
            raise CommandError(" ".join(str(error) for errors in form.errors.values() for error in errors))
        token, text = token_issue(token=form.save(commit=False), programmes=programmes, actor=None)
        self.stdout.write(f"Issued {TAG}_{token.prefix} for {token.partner}, {token.profile}, until "
                          f"{token.expires_on}. The token (shown once, stored nowhere):")
        self.stdout.write(text)
