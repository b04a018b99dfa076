from django import forms
from django.utils.translation import gettext_lazy as _

from intake.models import Programme
from intake.months import parse_month

from .models import ReferenceFigure


class GenerateReportForm(forms.Form):
    programme = forms.ModelChoiceField(
        Programme.objects.all(), required=False, empty_label=_("All programmes"), label=_("Scope"),
        to_field_name="slug",
    )
    month = forms.CharField(
        label=_("Month"), max_length=20, help_text=_("As YYYY-MM, e.g. 2023-11."),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )

    def clean_month(self):
        try:
            return parse_month(self.cleaned_data["month"])
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, e.g. 2023-11.")) from None


class ReferenceFigureForm(forms.ModelForm):
    class Meta:
        model = ReferenceFigure
        fields = ["source", "measure", "period", "value", "value_high", "per", "out_of", "citation"]
