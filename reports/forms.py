from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from intake.forms import CountField, MonthField, ProgrammeChoiceField
from intake.models import Programme

from .models import ReferenceFigure
from .verification import MAX_EXPORT_BYTES, ExportRefused, export_check, too_large_message


class GenerateReportForm(forms.Form):
    programme = ProgrammeChoiceField(
        Programme.objects.all(), required=False, empty_label=_("All programmes"), label=_("Scope"))
    month = MonthField(label=_("Month"))


class NumberField(CountField):
    """A reference figure's number, in the digits 0-9 like a count."""

    default_error_messages = {"invalid": _("Enter the number in digits, e.g. 12.")}


class ReferenceFigureForm(forms.ModelForm):
    class Meta:
        model = ReferenceFigure
        fields = ["source", "source_ru", "measure", "measure_ru", "period", "period_ru", "value", "value_high", "per",
                  "out_of", "citation", "citation_ru"]
        field_classes = {"value": NumberField, "value_high": NumberField, "out_of": NumberField}


class ExportVerifyForm(forms.Form):
    """A report's JSON export, uploaded or pasted, cleaned to its check against the
    stored version it names (cleaned_data["check"])."""

    file = forms.FileField(label=_("JSON export file"), required=False,
                           help_text=_("The file the JSON button of a report page downloads."))
    text = forms.CharField(label=_("Or paste its text"), required=False, strip=False,
                           widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "font-monospace"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and upload.size > MAX_EXPORT_BYTES:  # the size it arrived with: nothing read yet
            raise ValidationError(too_large_message())
        return upload

    def clean_text(self):
        text = self.cleaned_data["text"]
        if len(text.encode()) > MAX_EXPORT_BYTES:
            raise ValidationError(too_large_message())
        return text

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text", "")
        if self.errors:
            return cleaned
        if upload and text.strip():
            raise ValidationError(_("Choose a file or paste the text, not both."))
        if not upload and not text.strip():
            raise ValidationError(_("Choose a JSON export file, or paste its text."))
        raw = upload.read(MAX_EXPORT_BYTES + 1) if upload else text.encode()
        try:
            cleaned["check"] = export_check(raw)
        except ExportRefused as exc:
            self.add_error("file" if upload else "text", str(exc))
        return cleaned
