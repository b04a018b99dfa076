from django import forms
from django.utils.translation import gettext_lazy as _

from intake.forms import CountField
from intake.models import MAX_UNLOCK_DAYS


class ReviewActionForm(forms.Form):
    """A step of a month's review, posted from its page (or by a script):
    action=submit|accept|return|reopen|request_unlock|grant_unlock, with a reason
    (return, request_unlock), a report version (submit; the latest ready one if none)
    or a number of days (grant_unlock; 7 if none). The reason is checked against the
    action's own list by the model."""

    ACTIONS = ("submit", "accept", "return", "reopen", "request_unlock", "grant_unlock")

    action = forms.ChoiceField(label=_("Action"), choices=[(action, action) for action in ACTIONS])
    reason = forms.CharField(label=_("Reason"), max_length=20, required=False)
    version = CountField(label=_("Report version"), required=False, min_value=1)
    days = CountField(label=_("Days"), required=False, min_value=1, max_value=MAX_UNLOCK_DAYS)
