"""Two staff revoking the same API token at the same instant, each in a browser of
their own, with committed transactions: the token is revoked once, with one audit
event, and the one who came second is told it was already revoked.

Run for several rounds: the race needs the two requests to overlap, and a round where
they happen not to must pass too."""

import datetime as dt

import pytest

from api.audit_actions import ApiAction
from api.models import ApiToken
from api.tokens import token_issue
from intake.models import AuditEvent
from tests.conftest import make_user, text_of
from tests.intake.test_concurrency import at_once

ROUNDS = 10
REVOKED = "The token of Paper {} is revoked: it no longer works."
ALREADY = "The token of Paper {} was already revoked; nothing was changed."


@pytest.fixture
def two_staff(committed_db, this_month, new_client_for):
    first, second = make_user("staff-a", "Staff"), make_user("staff-b", "Staff")
    return first, new_client_for(first), new_client_for(second)


def test_two_staff_revoking_one_token_at_once_revoke_it_once(two_staff):
    issuer, alice, bob = two_staff
    noted, told = [], []
    for round_ in range(ROUNDS):
        token, _text = token_issue(token=ApiToken(partner=f"Paper {round_}", profile="public",
                                                  expires_on=dt.date(2026, 12, 31)), programmes=[], actor=issuer)
        url = f"/api-tokens/{token.pk}/revoke/"

        pages = at_once((alice, url, {}), (bob, url, {}))

        assert ApiToken.objects.get(pk=token.pk).revoked
        noted.append(AuditEvent.objects.filter(action=ApiAction.API_TOKEN_REVOKED,
                                               subject__endswith=token.prefix).count())
        told.append(sorted((REVOKED.format(round_) in text_of(page), ALREADY.format(round_) in text_of(page))
                           for page in pages))

    assert noted == [1] * ROUNDS, "revocations noted in each round"
    assert told == [[(False, True), (True, False)]] * ROUNDS, "one revoked it, the other was told it already was"


def test_revoking_a_revoked_token_again_says_so_and_notes_nothing(two_staff):
    issuer, alice, _bob = two_staff
    token, _text = token_issue(token=ApiToken(partner="Paper A", profile="public", expires_on=dt.date(2026, 12, 31)),
                               programmes=[], actor=issuer)
    alice.post(f"/api-tokens/{token.pk}/revoke/")

    page = alice.post(f"/api-tokens/{token.pk}/revoke/", follow=True)

    assert ALREADY.format("A") in text_of(page)
    assert AuditEvent.objects.filter(action=ApiAction.API_TOKEN_REVOKED).count() == 1
