from django import forms
from django.utils.translation import gettext_lazy as _

from intake.forms import CountField, MonthField
from intake.models import Programme

from .models import ReferenceFigure
from .services import ReportError, check_report_month


class GenerateReportForm(forms.Form):
    programme = forms.ModelChoiceField(
        Programme.objects.all(), required=False, empty_label=_("All programmes"), label=_("Scope"),
        to_field_name="slug",
    )
    month = MonthField(label=_("Month"))

    def clean(self):
        cleaned = super().clean()
        if "month" in cleaned:
            try:
                check_report_month(programme=cleaned.get("programme"), month=cleaned["month"])
            except ReportError as exc:
                self.add_error("month", str(exc))
        return cleaned


class NumberField(CountField):
    """A reference figure's number, in the digits 0-9 like a count."""

    default_error_messages = {"invalid": _("Enter the number in digits, e.g. 12.")}


class ReferenceFigureForm(forms.ModelForm):
    class Meta:
        model = ReferenceFigure
        fields = ["source", "source_ru", "measure", "measure_ru", "period", "period_ru", "value", "value_high", "per",
                  "out_of", "citation", "citation_ru"]
        field_classes = {"value": NumberField, "value_high": NumberField, "out_of": NumberField}
