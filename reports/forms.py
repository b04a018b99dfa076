from django import forms
from django.utils.translation import gettext_lazy as _

from intake.forms import CountField, MonthField
from intake.models import Programme

from .models import ReferenceFigure


class GenerateReportForm(forms.Form):
    programme = forms.ModelChoiceField(
        Programme.objects.all(), required=False, empty_label=_("All programmes"), label=_("Scope"),
        to_field_name="slug",
    )
    month = MonthField(label=_("Month"))


class NumberField(CountField):
    """A reference figure's number, in the digits 0-9 like a count."""

    default_error_messages = {"invalid": _("Enter the number in digits, e.g. 12.")}


class ReferenceFigureForm(forms.ModelForm):
    class Meta:
        model = ReferenceFigure
        fields = ["source", "measure", "period", "value", "value_high", "per", "out_of", "citation"]
        field_classes = {"value": NumberField, "value_high": NumberField, "out_of": NumberField}
