from django import forms
from django.utils.translation import gettext_lazy as _

from intake.forms import MonthField
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


class ReferenceFigureForm(forms.ModelForm):
    class Meta:
        model = ReferenceFigure
        fields = ["source", "measure", "period", "value", "value_high", "per", "out_of", "citation"]
