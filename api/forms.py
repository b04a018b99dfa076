import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.models import Programme

from .models import ApiToken, Profile

# A token is for a partnership that is reviewed at least yearly.
MAX_DAYS = 366


class ApiTokenForm(forms.ModelForm):
    profile = forms.ChoiceField(
        label=_("Profile"), choices=Profile.choices, widget=forms.RadioSelect,
        help_text=ApiToken._meta.get_field("profile").help_text,
        error_messages={"required": _("Choose what the token may see: partner or public figures.")},
    )
    programmes = forms.ModelMultipleChoiceField(
        Programme.objects.all(), label=_("Programmes"), widget=forms.CheckboxSelectMultiple,
        help_text=_("The token sees the figures of these programmes only; the all-programmes figures only if it "
                    "covers every programme."),
        error_messages={"required": _("Choose at least one programme.")},
    )
    expires_on = forms.DateField(
        label=_("Expires on"), input_formats=["%Y-%m-%d"],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": "10",
                                      "placeholder": _("YYYY-MM-DD")}),
        help_text=_("As YYYY-MM-DD, e.g. 2027-06-30: at most a year from today. The token stops working after "
                    "this day."),
        error_messages={"required": _("Enter the day the token expires, as YYYY-MM-DD."),
                        "invalid": _("Enter the day as YYYY-MM-DD, e.g. 2027-06-30.")},
    )

    class Meta:
        model = ApiToken
        fields = ["partner", "profile", "programmes", "expires_on", "cors_origin"]
        widgets = {"profile": forms.RadioSelect}
        error_messages = {
            "partner": {"required": _("Enter who the token is for.")},
        }

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(_("The expiry day must be after today."))
        if day > today + dt.timedelta(days=MAX_DAYS):
            raise forms.ValidationError(_("The expiry day can be at most a year from today."))
        return day
