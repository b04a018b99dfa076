"""Tokens from the command line: issued (printed once) and revoked, audited as the
command line's."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from api.models import ApiToken
from intake.models import AuditEvent

from .conftest import bearer


def test_a_token_issued_on_the_command_line_works_and_is_revoked_there(client, published):
    out = io.StringIO()

    call_command("api_token", "issue", "--partner", "Data desk", "--profile", "partner", "--programme",
                 "desertion-help", "--expires", "2026-12-31", stdout=out)

    text = out.getvalue().strip().splitlines()[-1]
    assert client.get("/api/v1/programmes", **bearer(text)).status_code == 200
    token = ApiToken.objects.get()
    assert (token.partner, token.profile, token.expires_on) == ("Data desk", "partner", dt.date(2026, 12, 31))

    call_command("api_token", "revoke", text.split("_")[1], stdout=io.StringIO())

    assert client.get("/api/v1/programmes", **bearer(text)).status_code == 401
    assert list(AuditEvent.objects.filter(action__startswith="api_token").values_list("action", "actor")) == [
        ("api_token_revoked", None), ("api_token_issued", None)]


def test_the_command_refuses_what_the_form_refuses(published):
    with pytest.raises(CommandError, match="expiry day must be after today"):
        call_command("api_token", "issue", "--partner", "X", "--profile", "public", "--programme", "desertion-help",
                     "--expires", "2020-01-01", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_revoking_a_revoked_token_on_the_command_line_says_so_and_notes_nothing(published, issue):
    token, _text = issue(programmes=[published["programme"]])
    call_command("api_token", "revoke", token.prefix, stdout=io.StringIO())
    out = io.StringIO()

    call_command("api_token", "revoke", token.prefix, stdout=out)

    assert out.getvalue().strip() == f"itk_{token.prefix} (Newsroom) was already revoked; nothing was changed."
    assert AuditEvent.objects.filter(action="api_token_revoked").count() == 1
