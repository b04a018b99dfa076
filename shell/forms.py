from django import forms
from django.db.models import QuerySet
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from intake import audit
from intake.forms import MonthField, Select
from intake.models import AuditEvent, User
from intake.months import format_month

# The account filter's value for the events of no account (the command line, the
# schedule, the worker): "~" is never a username (letters, digits and . - _ only).
NO_ACCOUNT = "~"
NO_ACCOUNT_LABEL = _("— (command line, schedule or worker)")


class AuditFilterForm(forms.Form):
    """The audit log's filters; each may be left empty."""

    month = MonthField(label=_("Month"), required=False, help_text="")
    # Dozens of actions and accounts: their options are written without a template each.
    action = forms.ChoiceField(label=_("Action"), required=False, widget=Select,
                               choices=lambda: [("", _("Any action")), *audit.action_choices()])
    account = forms.ChoiceField(label=_("Account"), required=False, widget=Select)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = User.objects.order_by("username").values_list("username", "pk")
        # The account filter selects by id, which the log's index on accounts serves.
        self.account_ids = dict(accounts)
        self.fields["account"].choices = [
            ("", _("Any account")), (NO_ACCOUNT, NO_ACCOUNT_LABEL), *((name, name) for name in self.account_ids)
        ]

    def filters(self) -> list[tuple[str, str]]:
        """The filters given, as (name, value in the URL); none for an unbound form."""
        data = self.cleaned_data if self.is_bound else {}
        return [
            (name, format_month(data[name]) if name == "month" else data[name])
            for name in ("month", "action", "account") if data.get(name)
        ]

    def events(self) -> QuerySet:
        events = AuditEvent.objects.select_related("actor")
        data = self.cleaned_data if self.is_bound else {}
        if data.get("month"):
            events = events.filter(month=data["month"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("account") == NO_ACCOUNT:
            events = events.filter(actor__isnull=True)
        elif data.get("account"):
            events = events.filter(actor_id=self.account_ids[data["account"]])
        return events

    def query(self) -> str:
        """The filters as a query string, for the links to other pages and to the CSV."""
        return urlencode(self.filters())

    def describe(self) -> str:
        """The filters in the audit log's own terms: "month 2023-11, action login"."""
        return ", ".join(f"{name} {value}" for name, value in self.filters()) or "all"
